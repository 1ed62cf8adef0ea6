package io.gvproxy.cli;

import io.gvproxy.core.VirtualNetwork;
import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.link.Link;
import io.gvproxy.core.stats.Counters;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test handler: records each call, then echoes bytes back until the peer closes, like a link would live. */
class RecordingHandler implements VmConnectionHandler {
    record Call(String kind, String peer) {
    }

    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    volatile boolean failNextWithRuntimeException;

    @Override
    public void qemu(ByteChannel channel, String peerName) throws IOException {
        calls.add(new Call("qemu", peerName));
        maybeFail();
        echo(channel, channel);
    }

    @Override
    public void vpnkit(ByteChannel channel, String peerName) throws IOException {
        calls.add(new Call("vpnkit", peerName));
        maybeFail();
        echo(channel, channel);
    }

    @Override
    public void bess(Link link, String peerName) throws IOException {
        calls.add(new Call("bess", peerName));
        echo(link);
    }

    @Override
    public void vfkit(Link link, String peerName) throws IOException {
        calls.add(new Call("vfkit", peerName));
        echo(link);
    }

    final Counters counters = new Counters();

    @Override
    public Counters counters() {
        return counters;
    }

    /** Sends every received frame back until the link ends. */
    static void echo(Link link) throws IOException {
        Frame frame = new FramePool(2048, 1).acquire();
        try {
            while (link.receive(frame)) {
                link.send(frame.data());
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void connect(ByteChannel channel, String peerName) throws IOException {
        calls.add(new Call("connect", peerName));
        echo(channel, channel);
    }

    private VirtualNetwork network;

    /** Built on first use: most tests never need a network. */
    @Override
    public synchronized VirtualNetwork network() {
        if (network == null) {
            network = new VirtualNetwork(NetworkStackHandler.networkConfig(defaults()), new Counters());
        }
        return network;
    }

    private static GvproxyOptions defaults() {
        try {
            return Options.of();
        } catch (FlagException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stdio(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        calls.add(new Call("stdio", "stdio"));
        echo(in, out);
    }

    private void maybeFail() {
        if (failNextWithRuntimeException) {
            failNextWithRuntimeException = false;
            throw new IllegalStateException("deliberate failure");
        }
    }

    Call next() throws InterruptedException {
        Call c = calls.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("handler was not called within 10 s");
        }
        return c;
    }

    static void echo(ReadableByteChannel in, WritableByteChannel out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (in.read(buf) >= 0) {
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            buf.clear();
        }
    }

    volatile boolean closed;

    @Override
    public synchronized void close() {
        closed = true;
        if (network != null) {
            network.close();
        }
    }
}
