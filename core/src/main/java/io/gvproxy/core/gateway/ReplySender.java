package io.gvproxy.core.gateway;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.FrameSink;
import io.gvproxy.core.stats.Counter;
import io.gvproxy.core.stats.Counters;

/** Hands a reply the gateway built to the switch and gives the pooled frame back, whatever the sink does. */
final class ReplySender {
    private final FrameSink output;
    private final Counter outputErrors;

    ReplySender(FrameSink output, Counters counters) {
        this.output = output;
        this.outputErrors = counters.counter("gateway.output_errors");
    }

    /** Sends and releases {@code reply}; counts {@code sent} on success, {@code gateway.output_errors} otherwise. */
    void send(Frame reply, Counter sent) {
        try {
            output.accept(reply);
            sent.increment();
        } catch (RuntimeException e) {
            // The switch's problem (a full queue, a closed port) must not become the guest frame's problem.
            outputErrors.increment();
        } finally {
            reply.release();
        }
    }
}
