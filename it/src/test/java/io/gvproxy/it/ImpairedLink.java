package io.gvproxy.it;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.link.Link;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * A link that impairs frames in both directions the way netem does on an interface: it drops, reorders (holds
 * one frame back until the next has passed) and duplicates, with per-frame probabilities that can be switched
 * on while frames flow. For kernels built without {@code sch_netem}. Seeded, but thread timing decides which
 * frames meet which draws, so runs are not reproducible frame by frame.
 */
final class ImpairedLink implements Link {
    record Impairment(double loss, double reorder, double duplicate) {
        static final Impairment NONE = new Impairment(0, 0, 0);
    }

    private final Link inner;
    private volatile Impairment impairment = Impairment.NONE;
    private final Random receiveRandom;
    private final Random sendRandom;
    private final Held receiveHeld = new Held();
    private final Held receiveReady = new Held();
    private final Held sendHeld = new Held();

    /** One frame's bytes kept aside. */
    private static final class Held {
        byte[] bytes = new byte[2048];
        int length = -1;

        void keep(MemorySegment from, long length) {
            if (bytes.length < length) {
                bytes = new byte[(int) length];
            }
            MemorySegment.copy(from, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) length);
            this.length = (int) length;
        }

        boolean present() {
            return length >= 0;
        }
    }

    ImpairedLink(Link inner, long seed) {
        this.inner = inner;
        this.receiveRandom = new Random(seed);
        this.sendRandom = new Random(~seed);
    }

    void impair(Impairment i) {
        impairment = i;
    }

    @Override
    public boolean receive(Frame into) throws IOException {
        if (receiveReady.present()) {
            into.copyFrom(MemorySegment.ofArray(receiveReady.bytes).asSlice(0, receiveReady.length));
            receiveReady.length = -1;
            return true;
        }
        while (true) {
            if (!inner.receive(into)) {
                return false;
            }
            Impairment i = impairment;
            if (i.loss() > 0 && receiveRandom.nextDouble() < i.loss()) {
                continue;
            }
            if (receiveHeld.present()) {
                // the held frame follows this one
                receiveReady.keep(MemorySegment.ofArray(receiveHeld.bytes), receiveHeld.length);
                receiveHeld.length = -1;
            } else if (i.reorder() > 0 && receiveRandom.nextDouble() < i.reorder()) {
                receiveHeld.keep(into.buffer(), into.length());
                continue;
            }
            if (!receiveReady.present() && i.duplicate() > 0 && receiveRandom.nextDouble() < i.duplicate()) {
                receiveReady.keep(into.buffer(), into.length());
            }
            return true;
        }
    }

    @Override
    public synchronized void send(MemorySegment frame) throws IOException {
        Impairment i = impairment;
        if (i.loss() > 0 && sendRandom.nextDouble() < i.loss()) {
            return;
        }
        if (!sendHeld.present() && i.reorder() > 0 && sendRandom.nextDouble() < i.reorder()) {
            sendHeld.keep(frame, frame.byteSize());
            return;
        }
        inner.send(frame);
        if (i.duplicate() > 0 && sendRandom.nextDouble() < i.duplicate()) {
            inner.send(frame);
        }
        if (sendHeld.present()) {
            inner.send(MemorySegment.ofArray(sendHeld.bytes).asSlice(0, sendHeld.length));
            sendHeld.length = -1;
        }
    }

    @Override
    public String name() {
        return "impaired " + inner.name();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
