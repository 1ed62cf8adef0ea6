package io.gvproxy.core.link;

import io.gvproxy.core.buffer.Frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A link that keeps a copy of every frame sent to it and has nothing to receive (also used by cli's tests). */
public final class RecordingLink implements Link {
    public final List<byte[]> sent = new ArrayList<>();
    public boolean closed;

    @Override
    public boolean receive(Frame into) {
        return false;
    }

    @Override
    public void send(MemorySegment frame) {
        sent.add(frame.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void close() {
        closed = true;
    }
}
