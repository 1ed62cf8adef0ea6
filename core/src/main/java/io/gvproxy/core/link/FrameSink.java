package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;

/**
 * Where a frame goes next. The frame is lent for the duration of the call: the caller still owns its
 * reference and releases it afterwards, so a sink that keeps the frame (a queue) must {@link Frame#retain()} it.
 */
@FunctionalInterface
public interface FrameSink {
    void accept(Frame frame);
}
