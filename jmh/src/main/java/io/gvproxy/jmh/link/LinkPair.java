package io.gvproxy.jmh.link;

import io.gvproxy.core.link.Link;
import io.gvproxy.core.link.StreamFraming;
import io.gvproxy.core.link.StreamLink;
import io.gvproxy.core.stats.Counters;
import io.gvproxy.ffm.SeqpacketLink;
import io.gvproxy.ffm.TapDevice;
import io.gvproxy.ffm.TapLink;
import io.gvproxy.ffm.UnixDatagramLink;
import io.gvproxy.ffm.UnixSeqpacketListener;
import io.gvproxy.ffm.VfkitHello;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two ends of one link type, the writer's and the reader's, made the way gvproxy and a VM would: a connected
 * SOCK_SEQPACKET pair, two bound SOCK_DGRAM sockets that know each other, a unix stream with QEMU framing, or two
 * taps that a bridge joins (made beforehand by {@code jmh/bin/link-bench} in a namespace of its own, named in
 * {@code LINK_BENCH_TAPS=writer,reader}).
 */
record LinkPair(Link writer, Link reader, Path dir) implements AutoCloseable {
    static final String TAPS_ENV = "LINK_BENCH_TAPS";

    static LinkPair open(String type, Counters counters) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "lb");
        try {
            return switch (type) {
                case "seqpacket" -> seqpacket(dir, counters);
                case "dgram" -> dgram(dir, counters);
                case "stream" -> stream(dir, counters);
                case "tap" -> tap(dir, counters);
                default -> throw new IllegalArgumentException("unknown link type " + type);
            };
        } catch (IOException | RuntimeException e) {
            deleteDir(dir);
            throw e;
        }
    }

    private static LinkPair seqpacket(Path dir, Counters counters) throws IOException {
        try (UnixSeqpacketListener listener = UnixSeqpacketListener.bind(dir.resolve("bess.sock"), counters, "rx")) {
            SeqpacketLink writer = SeqpacketLink.connect(listener.path(), counters, "tx");
            return new LinkPair(writer, listener.accept(), dir);
        }
    }

    /**
     * The writer learns the reader's path as gvproxy learns a VM's: from a {@code VFKT} datagram sent from that path
     * (by a socket that is then closed, so the reader's link can bind the path).
     */
    private static LinkPair dgram(Path dir, Counters counters) throws IOException {
        Path writerPath = dir.resolve("w.dgram");
        Path readerPath = dir.resolve("r.dgram");
        UnixDatagramLink writer = UnixDatagramLink.bind(writerPath, counters, "tx");
        try {
            VfkitHello.send(readerPath, writerPath);
            if (!writer.awaitPeer().equals(readerPath.toString())) {
                throw new IOException("the writer learned " + writer.peerPath() + ", not " + readerPath);
            }
            return new LinkPair(writer, UnixDatagramLink.bind(readerPath, counters, "rx"), dir);
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    private static LinkPair stream(Path dir, Counters counters) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("qemu.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            SocketChannel vm = SocketChannel.open(address);
            SocketChannel accepted = server.accept();
            return new LinkPair(StreamLink.of("tx", vm, StreamFraming.QEMU, counters),
                    StreamLink.of("rx", accepted, StreamFraming.QEMU, counters), dir);
        }
    }

    private static LinkPair tap(Path dir, Counters counters) throws IOException {
        String names = System.getenv(TAPS_ENV);
        if (names == null || !names.contains(",")) {
            throw new IOException(TAPS_ENV + " must name two bridged taps (writer,reader): run jmh/bin/link-bench as root");
        }
        String[] tap = names.split(",", 2);
        TapLink writer = new TapLink(TapDevice.open(tap[0]), counters, "tx");
        try {
            return new LinkPair(writer, new TapLink(TapDevice.open(tap[1]), counters, "rx"), dir);
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } finally {
            try {
                reader.close();
            } finally {
                deleteDir(dir);
            }
        }
    }

    private static void deleteDir(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
