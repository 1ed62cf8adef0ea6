package io.gvproxy.core.tcp;

import static io.gvproxy.core.tcp.TcpTestContext.MS;
import static io.gvproxy.core.tcp.TcpTestContext.OUR_ISS;
import static io.gvproxy.core.tcp.TcpTestContext.PEER_ISS;
import static io.gvproxy.core.tcp.TcpTestContext.ours;
import static io.gvproxy.core.tcp.TcpTestContext.peers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpHandshakeTest {
    @Test
    void passiveOpenNegotiatesEveryOption() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.listen();
        assertEquals(TcpState.LISTEN, t.conn.state());
        t.send(t.fullSyn());
        assertEquals(TcpState.SYN_RECEIVED, t.conn.state());
        SentSegment synAck = t.next();
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags());
        assertEquals(OUR_ISS, synAck.seq());
        assertEquals(peers(0), synAck.ack());
        assertEquals(1460, synAck.mss());
        assertEquals(7, synAck.windowScale(), "4 MiB needs shift 7");
        assertTrue(synAck.sackPermitted());
        assertTrue(synAck.timestamps());
        assertEquals(t.peerTs, synAck.tsEcr());
        assertEquals(0xFFFF, synAck.window(), "SYN windows are never scaled");
        t.send(t.stamp(t.peer(0, 0, 0), synAck));
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        assertEquals(List.of("connected"), t.events);
        assertTrue(t.conn.windowScaleNegotiated());
        assertTrue(t.conn.sackNegotiated());
        assertTrue(t.conn.timestampsNegotiated());
        assertEquals(1460 - 12, t.conn.sendMss(), "timestamps take 12 bytes of every segment");
        t.expectNothing();
    }

    @Test
    void peerOfferingNoOptionsGetsNone() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.listen();
        t.send(new TcpSegment().seq(PEER_ISS).flags(TcpFlags.SYN).window(8192));
        SentSegment synAck = t.next();
        assertEquals(1460, synAck.mss(), "MSS is always announced");
        assertEquals(-1, synAck.windowScale());
        assertFalse(synAck.sackPermitted());
        assertFalse(synAck.timestamps());
        t.send(t.peer(0, 0, 0).window(8192));
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        assertFalse(t.conn.windowScaleNegotiated() || t.conn.sackNegotiated() || t.conn.timestampsNegotiated());
        assertEquals(536, t.conn.sendMss(), "RFC 9293 default MSS");
        // without window scaling the 4 MiB buffer is advertised as 65535, and data has no options
        t.write(new byte[600]);
        SentSegment d1 = t.next();
        assertEquals(536, d1.len());
        assertEquals(0xFFFF, d1.window());
        assertFalse(d1.timestamps());
        assertEquals(64, t.next().len());
    }

    @Test
    void aTinyPeerMssIsClamped() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.establishPassive(new TcpSegment().seq(PEER_ISS).flags(TcpFlags.SYN).window(0xFFFF).mss(1));
        assertEquals(48, t.conn.sendMss());
        t.write(new byte[100]);
        assertEquals(List.of(48, 48, 4), t.drain().stream().map(SentSegment::len).toList());
    }

    @Test
    void activeOpenAppliesThePeersWindowScale() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.connect(t.now);
        assertEquals(TcpState.SYN_SENT, t.conn.state());
        SentSegment syn = t.next();
        assertEquals(TcpFlags.SYN, syn.flags());
        assertEquals(OUR_ISS, syn.seq());
        assertEquals(7, syn.windowScale());
        assertTrue(syn.sackPermitted());
        assertTrue(syn.timestamps());
        assertEquals(0, syn.tsEcr());
        t.send(new TcpSegment().seq(PEER_ISS).ack(ours(0)).flags(TcpFlags.SYN | TcpFlags.ACK).window(0xFFFF)
                .mss(1000).windowScale(2).sackPermitted(true).timestamps(500, syn.tsVal()));
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        assertEquals(List.of("connected"), t.events);
        SentSegment ack = t.expectAck(0);
        assertEquals(ours(0), ack.seq());
        assertEquals(500, ack.tsEcr());
        assertEquals(988, t.conn.sendMss());
        // the peer now advertises 1000 << 2 = 4000 bytes
        t.send(t.peer(0, 0, 0).window(1000).timestamps(501, ack.tsVal()));
        t.write(new byte[10_000]);
        List<SentSegment> sent = t.drain();
        // four full segments fit; the 48-byte tail of the window is held back (sender SWS avoidance)
        assertEquals(4, sent.size());
        assertEquals(4 * 988, sent.stream().mapToInt(SentSegment::len).sum());
        assertEquals(ours(0), sent.get(0).seq());
        assertEquals(ours(988), sent.get(1).seq());
        // the SYN offered 65535 of the initial 64 KiB grant; the window grows as the peer fills it
        assertEquals((ReceiveBuffer.INITIAL_WINDOW - 1) >> 7, sent.get(0).window(),
                "our window is scaled by 2^7 from now on");
    }

    @Test
    void simultaneousOpen() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.connect(t.now);
        t.next();
        TcpSegment peerSyn = t.fullSyn();
        t.send(peerSyn);
        assertEquals(TcpState.SYN_RECEIVED, t.conn.state());
        SentSegment synAck = t.next();
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags());
        assertEquals(OUR_ISS, synAck.seq(), "the same ISN again");
        assertEquals(peers(0), synAck.ack());
        t.send(new TcpSegment().seq(PEER_ISS).ack(ours(0)).flags(TcpFlags.SYN | TcpFlags.ACK).window(0xFFFF)
                .mss(1460).windowScale(7).sackPermitted(true).timestamps(t.peerTs + 1, synAck.tsVal()));
        assertEquals(TcpState.ESTABLISHED, t.conn.state());
        assertEquals(List.of("connected"), t.events);
        t.expectAck(0);
    }

    @Test
    void synIsRetransmittedWithBackoffThenTimesOut() {
        TcpTestContext t = new TcpTestContext(TcpConfig.builder().maxSynRetransmits(3).build());
        t.conn.connect(t.now);
        t.next();
        assertEquals(1000 * MS, t.fireNextTimer());
        assertEquals(TcpFlags.SYN, t.next().flags());
        assertEquals(2000 * MS, t.fireNextTimer());
        t.next();
        assertEquals(4000 * MS, t.fireNextTimer());
        t.next();
        assertEquals(8000 * MS, t.fireNextTimer());
        t.expectNothing();
        t.assertClosedWith(TcpError.TIMED_OUT);
    }

    @Test
    void synAckIsRetransmittedOnTimeoutAndOnADuplicateSyn() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.listen();
        t.send(t.fullSyn());
        t.next();
        t.send(t.fullSyn());
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, t.next().flags());
        assertEquals(1000 * MS, t.fireNextTimer());
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, t.next().flags());
    }

    @Test
    void resetAnsweringOurSynRefusesTheConnection() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.connect(t.now);
        t.next();
        // a RST whose ACK does not cover our SYN is not for us
        t.send(new TcpSegment().seq(0).ack(ours(5)).flags(TcpFlags.RST | TcpFlags.ACK));
        assertEquals(TcpState.SYN_SENT, t.conn.state());
        t.expectNothing();
        t.send(new TcpSegment().seq(0).ack(ours(0)).flags(TcpFlags.RST | TcpFlags.ACK));
        t.expectNothing();
        t.assertClosedWith(TcpError.CONNECTION_REFUSED);
    }

    @Test
    void synAckWithAWrongAckIsAnsweredWithReset() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.connect(t.now);
        t.next();
        t.send(new TcpSegment().seq(PEER_ISS).ack(ours(100)).flags(TcpFlags.SYN | TcpFlags.ACK).window(100));
        SentSegment rst = t.next();
        assertEquals(TcpFlags.RST, rst.flags());
        assertEquals(ours(100), rst.seq());
        assertEquals(TcpState.SYN_SENT, t.conn.state());
    }

    @Test
    void listenerResetsStrayAcksAndIgnoresResets() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.listen();
        t.send(new TcpSegment().seq(123).ack(456).flags(TcpFlags.ACK));
        SentSegment rst = t.next();
        assertEquals(TcpFlags.RST, rst.flags());
        assertEquals(456, rst.seq());
        t.send(new TcpSegment().seq(123).flags(TcpFlags.RST));
        t.expectNothing();
        assertEquals(TcpState.LISTEN, t.conn.state());
    }

    @Test
    void closedConnectionAnswersWithReset() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.send(new TcpSegment().seq(1000).flags(TcpFlags.SYN));
        SentSegment rst = t.next();
        assertEquals(TcpFlags.RST | TcpFlags.ACK, rst.flags());
        assertEquals(1001, rst.ack());
    }

    @Test
    void dataQueuedBeforeTheHandshakeFollowsIt() {
        TcpTestContext t = new TcpTestContext(TcpConfig.defaults());
        t.conn.connect(t.now);
        SentSegment syn = t.next();
        t.write(TcpTestContext.bytes(100, 1));
        t.expectNothing();
        t.send(new TcpSegment().seq(PEER_ISS).ack(ours(0)).flags(TcpFlags.SYN | TcpFlags.ACK).window(0xFFFF)
                .mss(1460).timestamps(9, syn.tsVal()));
        SentSegment data = t.next();
        assertEquals(100, data.len());
        assertEquals(ours(0), data.seq());
        assertEquals(peers(0), data.ack(), "the data segment carries the handshake ACK");
    }
}
