package io.gvproxy.core.tcpip;

import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

/** The stack's own counters ({@code tcp.stack.*}); the engine's are {@code tcp.*} via {@code TcpCounters}. */
final class StackCounters {
    final Counter segmentsReceived;
    final Counter malformed;
    final Counter badChecksum;
    final Counter resetsNoConnection;
    final Counter synOffered;
    final Counter synAccepted;
    final Counter synRejected;
    final Counter synExpired;
    final Counter synWhilePending;
    final Counter dropPendingNonSyn;
    final Counter dropHalfOpenLimit;
    final Counter dropTableFull;
    final Counter badAddress;
    final Counter timeWaitReused;
    final Counter listenerErrors;
    final Counter segmentTooLarge;
    final Counter outputErrors;
    final Counter timerErrors;
    final Counter framesSent;
    final Counter icmpFragNeeded;
    final Counter icmpIgnored;
    final Counter sackBlocksTrimmed;

    StackCounters(Counters c) {
        segmentsReceived = c.counter("tcp.stack.segments_received");
        malformed = c.counter("tcp.stack.malformed");
        badChecksum = c.counter("tcp.stack.bad_checksum");
        resetsNoConnection = c.counter("tcp.stack.resets_no_connection");
        synOffered = c.counter("tcp.stack.syn_offered");
        synAccepted = c.counter("tcp.stack.syn_accepted");
        synRejected = c.counter("tcp.stack.syn_rejected");
        synExpired = c.counter("tcp.stack.syn_expired");
        synWhilePending = c.counter("tcp.stack.drop.syn_while_pending");
        dropPendingNonSyn = c.counter("tcp.stack.drop.pending_non_syn");
        dropHalfOpenLimit = c.counter("tcp.stack.drop.half_open_limit");
        dropTableFull = c.counter("tcp.stack.drop.table_full");
        badAddress = c.counter("tcp.stack.drop.bad_address");
        timeWaitReused = c.counter("tcp.stack.time_wait_reused");
        listenerErrors = c.counter("tcp.stack.listener_errors");
        segmentTooLarge = c.counter("tcp.stack.drop.segment_too_large");
        outputErrors = c.counter("tcp.stack.output_errors");
        timerErrors = c.counter("tcp.stack.timer_errors");
        framesSent = c.counter("tcp.stack.frames_sent");
        icmpFragNeeded = c.counter("tcp.stack.icmp_frag_needed");
        icmpIgnored = c.counter("tcp.stack.icmp_ignored");
        sackBlocksTrimmed = c.counter("tcp.stack.sack_blocks_trimmed");
    }
}
