package io.gvproxy.core.tcpip;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.tcp.SegmentSink;
import io.gvproxy.core.tcp.TcpConnection;
import io.gvproxy.core.tcp.TcpError;
import io.gvproxy.core.tcp.TcpEvents;
import io.gvproxy.core.tcp.TcpSegment;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One engine connection inside a {@link TcpStack}: its 4-tuple and MACs, the lock that makes the single-threaded
 * engine safe for the switch's reader, the timer thread and the owner's threads, and the glue from engine
 * events to waiting threads and from engine segments to frames.
 *
 * <p>Every engine call happens under {@link #lock}. Frames leave through the stack's non-blocking output, so
 * holding the lock never waits on the network; waiting owners release it in {@link Condition#await}.
 */
final class StackConnection implements SegmentSink, TcpEvents {
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    final TcpStack stack;
    final int localIp;
    final int localPort;
    final int remoteIp;
    final int remotePort;
    final long flowAddresses;
    final int flowPorts;
    final long remoteMac;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every engine event: readers, writers and connectors re-check their condition. */
    final Condition changed = lock.newCondition();
    final TcpConnection tcp;
    private final SegmentFrameWriter writer = new SegmentFrameWriter();
    private int identification;
    TcpError error;
    boolean connected;
    boolean closed;
    /** The owner closed or aborted: its reads end and its writes fail. */
    boolean ownerClosed;
    /** Counted in the stack's half-open total until established or closed. */
    private boolean halfOpen;
    /** In some reader thread's burst list (see {@link TcpStack#endBurst()}). */
    private boolean ackQueued;
    private long armedDeadline = Long.MAX_VALUE;
    /**
     * Told after engine events (data, window, FIN, error, close), on the thread whose engine call raised them
     * and once its lock is released: for owners that never wait (see {@link TcpStream#onEvent}).
     */
    volatile Runnable listener;
    /** An event happened under the lock and the listener is still to hear of it. */
    private boolean notifyPending;
    private ScheduledFuture<?> timerTask;
    private final Runnable timerRun = this::timerFired;

    StackConnection(TcpStack stack, int localIp, int localPort, int remoteIp, int remotePort, long remoteMac,
                    int iss, boolean halfOpen) {
        this.stack = stack;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.flowAddresses = FlowTable.addresses(localIp, remoteIp);
        this.flowPorts = FlowTable.ports(localPort, remotePort);
        this.remoteMac = remoteMac;
        this.halfOpen = halfOpen;
        this.identification = iss >>> 16;
        this.tcp = new TcpConnection(stack.config.tcp(), iss, this, this, stack.tcpCounters);
        tcp.allowLargeSegments(stack.largeSegmentPayload(remoteMac));
    }

    /**
     * A segment from the network for this tuple; the segment is lent. Returns false, having closed this
     * connection, for a SYN that may reuse the tuple while it lingers in TIME-WAIT (RFC 6191): the caller then
     * treats the SYN as new.
     */
    boolean input(TcpSegment seg) {
        return input(seg, null);
    }

    /**
     * Like {@link #input(TcpSegment)}; with {@code burst} non-null, an ACK the segment makes due by the
     * every-second-segment rule waits in {@code burst} until the feeding thread's burst ends.
     */
    boolean input(TcpSegment seg, List<StackConnection> burst) {
        boolean kept = true;
        boolean notify;
        lock.lock();
        try {
            long now = stack.now();
            if (seg.syn() && tcp.timeWaitAcceptsNewSyn(seg)) {
                tcp.abort(now);
                kept = false;
            } else {
                if (burst == null) {
                    tcp.input(seg, now);
                } else {
                    tcp.coalesceAcks(true);
                    try {
                        tcp.input(seg, now);
                    } finally {
                        tcp.coalesceAcks(false);
                    }
                    if (!ackQueued && (tcp.coalescedAckPending() || notifyPending)) {
                        ackQueued = true;
                        burst.add(this);
                    }
                }
                rearm();
            }
            // On a burst-aware thread the listener hears at the burst's end (flushCoalescedAck), once for all of
            // the burst's segments: a relay then moves the burst's bytes in one go rather than a segment at a time.
            notify = burst == null && takeNotify();
        } finally {
            lock.unlock();
        }
        notifyListener(notify);
        return kept;
    }

    /** The end of the burst that queued this connection's ACK or listener event. */
    void flushCoalescedAck() {
        boolean notify;
        lock.lock();
        try {
            ackQueued = false;
            if (!closed) {
                tcp.flushCoalescedAck(stack.now());
                rearm();
            }
            notify = takeNotify();
        } finally {
            lock.unlock();
        }
        notifyListener(notify);
    }

    /** After every engine call, under the lock: makes sure the timer thread wakes by the engine's deadline. */
    void rearm() {
        long deadline = tcp.nextTimerDeadline();
        if (deadline >= armedDeadline || closed) {
            // a later deadline is found when the earlier wake-up re-checks: no rescheduling per ACK
            return;
        }
        if (timerTask != null) {
            timerTask.cancel(false);
        }
        armedDeadline = deadline;
        try {
            timerTask = stack.timers.schedule(timerRun, Math.max(0, deadline - stack.now()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the stack is closing and aborts every connection itself
            timerTask = null;
        }
    }

    private void timerFired() {
        boolean notify = false;
        lock.lock();
        try {
            armedDeadline = Long.MAX_VALUE;
            timerTask = null;
            if (closed) {
                return;
            }
            long now = stack.now();
            if (tcp.nextTimerDeadline() <= now) {
                tcp.onTimer(now);
            }
            rearm();
            notify = takeNotify();
        } catch (RuntimeException e) {
            stack.counters.timerErrors.increment();
        } finally {
            lock.unlock();
        }
        notifyListener(notify);
    }

    /** Under the lock: whether an engine event since the last call is still to reach the listener. */
    private boolean takeNotify() {
        boolean n = notifyPending;
        notifyPending = false;
        return n;
    }

    /**
     * Outside the lock, so that the listener may call back into the stream (and do its own I/O) without holding
     * up the engine for other threads.
     */
    private void notifyListener(boolean due) {
        Runnable l = listener;
        if (due && l != null) {
            try {
                l.run();
            } catch (RuntimeException e) {
                stack.counters.listenerErrors.increment();
            }
        }
    }

    private void eventHappened() {
        changed.signalAll();
        notifyPending = listener != null;
    }

    @Override
    public void transmit(TcpSegment seg) {
        int limit = tcp.sendMss() + (tcp.timestampsNegotiated() ? TIMESTAMP_OPTION_BYTES : 0);
        FramePool pool = stack.pool;
        if (seg.payloadLength() > tcp.sendMss() && stack.largePool != null) {
            // a large segment: the peer's link re-cuts it with room for whatever options it carries
            pool = stack.largePool;
            limit = Integer.MAX_VALUE;
        }
        Frame frame = writer.write(pool, seg, limit, stack.localMac, remoteMac, localIp, localPort, remoteIp,
                remotePort, identification++);
        int trimmed = writer.takeTrimmed();
        if (trimmed > 0) {
            stack.counters.sackBlocksTrimmed.add(trimmed);
        }
        if (frame == null) {
            stack.counters.segmentTooLarge.increment();
            return;
        }
        stack.send(frame);
    }

    @Override
    public void onConnected() {
        connected = true;
        leaveHalfOpen();
        changed.signalAll();
    }

    @Override
    public void onReadable() {
        eventHappened();
    }

    @Override
    public void onWritable() {
        eventHappened();
    }

    @Override
    public void onPeerFin() {
        eventHappened();
    }

    @Override
    public void onError(TcpError e) {
        error = e;
        notifyPending = listener != null;
    }

    @Override
    public void onClosed() {
        closed = true;
        leaveHalfOpen();
        if (timerTask != null) {
            timerTask.cancel(false);
            timerTask = null;
        }
        stack.forget(this);
        eventHappened();
    }

    private void leaveHalfOpen() {
        if (halfOpen) {
            halfOpen = false;
            stack.halfOpen.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return TcpStack.tupleString(localIp, localPort, remoteIp, remotePort) + " " + tcp.state();
    }
}
