package io.gvproxy.cli;

import io.gvproxy.core.link.FlushingChannel;
import io.gvproxy.ffm.VsockSocket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One connection of gvforwarder to gvproxy: a blocking byte stream each way. {@link #close} ends it and wakes a
 * thread blocked in a read (for stdio by ending the child process, whose pipe then reaches end of stream).
 */
final class ForwarderConnection implements AutoCloseable {
    private static final long STDIO_EXIT_GRACE_MS = 2000;

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final AutoCloseable closer;

    private ForwarderConnection(ReadableByteChannel in, WritableByteChannel out, AutoCloseable closer) {
        this.in = in;
        this.out = out;
        this.closer = closer;
    }

    static ForwarderConnection dial(ForwarderUrl url) throws IOException {
        return switch (url) {
            case ForwarderUrl.Vsock v -> {
                VsockSocket s = VsockSocket.connect(v.cid(), v.port());
                yield new ForwarderConnection(s, s, s);
            }
            case ForwarderUrl.Unix u -> {
                SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    s.connect(UnixDomainSocketAddress.of(u.socket()));
                } catch (IOException | RuntimeException e) {
                    s.close();
                    throw new IOException("dial unix " + u.socket() + ": " + e.getMessage(), e);
                }
                yield new ForwarderConnection(s, s, s);
            }
            case ForwarderUrl.Stdio st -> spawn(st);
        };
    }

    private static ForwarderConnection spawn(ForwarderUrl.Stdio st) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(st.executable().toString());
        command.addAll(st.arguments());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AutoCloseable closer = () -> {
            p.destroy();
            if (!p.waitFor(STDIO_EXIT_GRACE_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
            p.getOutputStream().close();
            p.getInputStream().close();
        };
        return new ForwarderConnection(Channels.newChannel(p.getInputStream()), new FlushingChannel(p.getOutputStream()),
                closer);
    }

    ReadableByteChannel in() {
        return in;
    }

    WritableByteChannel out() {
        return out;
    }

    /** Writes all of {@code bytes} (the POST request). */
    void writeFully(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        try {
            closer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Closing a connection that already failed: nothing more to release.
        }
    }
}
