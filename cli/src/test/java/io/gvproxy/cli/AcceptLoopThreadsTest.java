package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gvproxy.cli.http.FakeAcceptor;
import io.gvproxy.cli.http.ScriptedChannel;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** VM accept loops (vpnkit over vsock) use platform threads exactly when the acceptor blocks in native calls. */
@Timeout(60)
class AcceptLoopThreadsTest {
    @ParameterizedTest(name = "blocksCarrier={0}")
    @ValueSource(booleans = {false, true})
    void peerRunsOnTheAcceptorsThreadKind(boolean blocks) throws Exception {
        LogrusLogger log = new LogrusLogger(new ByteArrayOutputStream(), false, LogrusLogger.Level.INFO,
                Clock.systemUTC());
        RecordingHandler handler = new RecordingHandler();
        ScriptedChannel vm = new ScriptedChannel("frames");
        FakeAcceptor acceptor = new FakeAcceptor(blocks, vm);
        try (AcceptLoop loop = new AcceptLoop("vpnkit", new OpenedAcceptor(acceptor, null), 4, handler::vpnkit, log)) {
            loop.start();
            assertEquals(!blocks, vm.awaitClosedAndReadOnVirtual(), "peer thread virtual");
            assertEquals(!blocks, acceptor.acceptOnVirtual.poll(10, TimeUnit.SECONDS), "accept thread virtual");
            assertEquals(new RecordingHandler.Call("vpnkit", "fake#1"), handler.next());
            assertEquals("frames", vm.written());
        }
    }
}
