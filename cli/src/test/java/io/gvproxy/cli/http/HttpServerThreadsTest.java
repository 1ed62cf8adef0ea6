package io.gvproxy.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.LogrusLogger;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The accept loop and connections run on platform threads exactly when the acceptor blocks in native calls. */
@Timeout(60)
class HttpServerThreadsTest {
    private final LogrusLogger log = new LogrusLogger(new ByteArrayOutputStream(), false, LogrusLogger.Level.DEBUG,
            Clock.systemUTC());

    @ParameterizedTest(name = "blocksCarrier={0}")
    @ValueSource(booleans = {false, true})
    void threadKindFollowsTheAcceptor(boolean blocks) throws Exception {
        ScriptedChannel client = new ScriptedChannel("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        FakeAcceptor acceptor = new FakeAcceptor(blocks, client);
        Router router = new Router().handle("/hello", r -> HttpResponse.ok("hello\n".getBytes(StandardCharsets.UTF_8)));
        try (HttpServer server = new HttpServer("api", acceptor, router, HttpLimits.DEFAULT, log)) {
            server.start();
            assertEquals(!blocks, client.awaitClosedAndReadOnVirtual(), "connection thread virtual");
            assertEquals(!blocks, acceptor.acceptOnVirtual.poll(10, TimeUnit.SECONDS), "accept thread virtual");
            assertTrue(client.written().startsWith("HTTP/1.1 200 OK\r\n"), client.written());
            assertTrue(client.written().endsWith("hello\n"), client.written());
        }
    }

    @ParameterizedTest(name = "blocksCarrier={0}")
    @ValueSource(booleans = {false, true})
    void threadsBuilderMatchesBlocksCarrier(boolean blocks) throws Exception {
        Thread t = new FakeAcceptor(blocks).threads().unstarted(() -> { });
        assertEquals(!blocks, t.isVirtual());
        assertTrue(t.isDaemon(), "platform threads are daemons too, so they never keep the JVM alive");
    }
}
