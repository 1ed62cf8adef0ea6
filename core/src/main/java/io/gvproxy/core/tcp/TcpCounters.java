package io.gvproxy.core.tcp;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

/**
 * The engine's named counters, looked up once and shared by every connection of a stack: each reason a segment
 * or its payload is dropped has its own counter, next to retransmission and reset totals.
 */
public final class TcpCounters {
    private static final TcpCounters UNREGISTERED = new TcpCounters(new Counters(), "tcp");

    final Counter segmentsIn;
    final Counter segmentsOut;
    /** RFC 7323 PAWS: timestamp older than TS.Recent. */
    final Counter dropPaws;
    /** Sequence number outside the receive window (duplicates included). */
    final Counter dropOutOfWindow;
    /** ACK for data never sent. */
    final Counter dropAckUnsent;
    /** ACK below SND.UNA - MAX.SND.WND (RFC 5961 section 5). */
    final Counter dropAckTooOld;
    /** Segment without ACK, or otherwise meaningless, in its state. */
    final Counter dropInvalidForState;
    /** Out-of-order data beyond the bound on reassembly ranges. */
    final Counter dropOutOfOrderFull;
    /** Payload bytes past the advertised window, cut off. */
    final Counter dropBeyondWindowBytes;
    final Counter challengeAcks;
    final Counter resetsReceived;
    final Counter resetsSent;
    final Counter retransmittedSegments;
    final Counter retransmitTimeouts;
    final Counter fastRetransmits;
    /** Retransmissions found lost during SACK recovery and sent again without waiting for the RTO. */
    final Counter lostRetransmissions;
    /** Tail loss probes (RFC 8985 section 7) sent before the RTO. */
    final Counter lossProbes;

    /** Counters named {@code <prefix>.<name>} in {@code registry}, e.g. {@code nat.tcp.drop.paws}. */
    public TcpCounters(Counters registry, String prefix) {
        segmentsIn = registry.counter(prefix + ".segments_in");
        segmentsOut = registry.counter(prefix + ".segments_out");
        dropPaws = registry.counter(prefix + ".drop.paws");
        dropOutOfWindow = registry.counter(prefix + ".drop.out_of_window");
        dropAckUnsent = registry.counter(prefix + ".drop.ack_unsent");
        dropAckTooOld = registry.counter(prefix + ".drop.ack_too_old");
        dropInvalidForState = registry.counter(prefix + ".drop.invalid_for_state");
        dropOutOfOrderFull = registry.counter(prefix + ".drop.out_of_order_full");
        dropBeyondWindowBytes = registry.counter(prefix + ".drop.beyond_window_bytes");
        challengeAcks = registry.counter(prefix + ".challenge_acks");
        resetsReceived = registry.counter(prefix + ".resets_received");
        resetsSent = registry.counter(prefix + ".resets_sent");
        retransmittedSegments = registry.counter(prefix + ".retransmitted_segments");
        retransmitTimeouts = registry.counter(prefix + ".retransmit_timeouts");
        fastRetransmits = registry.counter(prefix + ".fast_retransmits");
        lostRetransmissions = registry.counter(prefix + ".lost_retransmissions");
        lossProbes = registry.counter(prefix + ".loss_probes");
    }

    /** For connections created without a registry: counts go to a private registry nobody reads. */
    static TcpCounters unregistered() {
        return UNREGISTERED;
    }
}
