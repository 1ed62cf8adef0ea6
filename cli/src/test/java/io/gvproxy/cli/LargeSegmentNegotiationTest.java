package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.http.RawHttp;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The large-segment offer on {@code /connect} between our gvforwarder and our gvproxy, and that neither side changes
 * for upstream's counterpart: no acceptance without the offer, none where the framing cannot carry large frames.
 */
@Timeout(60)
class LargeSegmentNegotiationTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final LogrusLogger log = new LogrusLogger(logBytes, false, LogrusLogger.Level.DEBUG, Clock.systemUTC());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private RawHttp connect(String... args) throws Exception {
        GvproxyOptions options = Options.of(args);
        GvproxyServer s = GvproxyServer.start(options, NetworkStackHandler.create(options, log), log, () -> {
            throw new AssertionError("stdio not expected");
        });
        toClose.add(s);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
        toClose.add(ch);
        return new RawHttp(ch);
    }

    @Test
    void ourGvproxyAcceptsOurGvforwardersOfferWithAFirstFrameBeforeAnyOther() throws Exception {
        RawHttp c = connect("-listen", "unix://" + dir.resolve("api.sock"));
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        byte[] first = c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false));
        assertArrayEquals(LargeSegmentOffer.acceptFrame(), first);
        assertTrue(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(first)));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false)));
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("large TCP segments accepted"));
    }

    @Test
    void anUpstreamGvforwarderWithoutTheOfferGetsOnlyFrames() throws Exception {
        RawHttp c = connect("-listen", "unix://" + dir.resolve("api.sock"));
        c.send(ConnectRequest.bytes("/connect"));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        byte[] first = c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(first)));
        ArpFrames.assertReplyFromGateway(first);
    }

    @Test
    void noAcceptanceWhereConnectUsesQemuFraming() throws Exception {
        RawHttp c = connect("-listen", "unix://" + dir.resolve("api.sock"), "-listen-qemu",
                "unix://" + dir.resolve("q.sock"));
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), true));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(4), true)));
    }

    @Test
    void noAcceptanceAtAnMtuWhoseFramesAlreadyReach64KiB() throws Exception {
        RawHttp c = connect("-listen", "unix://" + dir.resolve("api.sock"), "-mtu", "65520");
        c.send(ConnectRequest.bytes("/connect", true));
        c.send(ArpFrames.framed(ArpFrames.requestForGateway(), false));
        ArpFrames.assertReplyFromGateway(c.readBytes(ArpFrames.lengthOf(c.readBytes(2), false)));
    }

    @Test
    void theOfferIsOneHeaderAfterWhatGoWrites() {
        assertEquals("POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n"
                        + "Gvproxy-Large-Segments: tcp4\r\n\r\n",
                new String(ConnectRequest.bytes("/connect", true), StandardCharsets.US_ASCII));
        assertTrue(LargeSegmentOffer.offered("tcp4"));
        assertTrue(LargeSegmentOffer.offered("tcp6, TCP4"));
        assertFalse(LargeSegmentOffer.offered("tcp6"));
        assertFalse(LargeSegmentOffer.offered(""));
        assertFalse(LargeSegmentOffer.offered(null));
    }

    @Test
    void onlyTheExactAcceptanceFrameCounts() {
        byte[] f = LargeSegmentOffer.acceptFrame();
        f[20] ^= 1;
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(f)));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(ArpFrames.requestForGateway())));
        assertFalse(LargeSegmentOffer.isAcceptance(MemorySegment.ofArray(new byte[61])));
    }
}
