package io.gvproxy.core.tcp;

/**
 * The reset that answers a segment no connection wants (RFC 9293 section 3.10.7.1): for a SYN to a port nobody
 * forwards, a host connect that failed, or a segment for a tuple the NAT does not know.
 */
public final class ResetReply {
    private ResetReply() {
    }

    /**
     * Fills {@code reply} with the reset for {@code received}; returns false (and leaves it untouched) when none
     * is due, because a reset is never answered.
     */
    public static boolean fill(TcpSegment received, TcpSegment reply) {
        if (received.rst()) {
            return false;
        }
        reply.clear();
        if (received.ackFlag()) {
            reply.flags(TcpFlags.RST).seq(received.ack());
        } else {
            reply.flags(TcpFlags.RST | TcpFlags.ACK).seq(0).ack(received.seq() + received.sequenceLength());
        }
        return true;
    }
}
