package io.gvproxy.ffm;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.buffer.FramePool;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.ffm.SeqpacketLinkTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnixDatagramLinkTest {
    @TempDir
    Path dir;

    private final Counters counters = new Counters();
    private final FramePool pool = new FramePool(1600, 4);
    private UnixDatagramLink link;
    private Path server;

    @BeforeEach
    void bind() throws Exception {
        server = dir.resolve("vfkit.sock");
        link = UnixDatagramLink.bind(server, counters, "link.vfkit");
    }

    @AfterEach
    void close() {
        link.close();
    }

    private long count(String name) {
        return counters.get("link.vfkit." + name);
    }

    private byte[] receiveOne() throws Exception {
        Frame f = pool.acquire();
        try {
            assertTrue(link.receive(f));
            return f.data().toArray(ValueLayout.JAVA_BYTE);
        } finally {
            f.release();
        }
    }

    @Test
    void socketBuffersAreEnlargedAsUpstream() throws Exception {
        OsConstants k = Platform.current().constants();
        int fd = link.handle().fd();
        assertTrue(LibC.getsockoptInt(fd, k.solSocket(), k.soSndbuf()) >= UnixDatagramLink.SNDBUF);
        assertTrue(LibC.getsockoptInt(fd, k.solSocket(), k.soRcvbuf()) >= UnixDatagramLink.RCVBUF);
    }

    @Test
    void vfktIsConsumedAndTeachesThePeer() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, "VFKT");
            assertEquals(vm.path().toString(), link.awaitPeer());
            vm.sendTo(server, pattern(1500, 1));
            assertArrayEquals(pattern(1500, 1).toArray(ValueLayout.JAVA_BYTE), receiveOne());
            assertEquals(0, count("rx_runt"), "VFKT must not reach receive");
            link.send(pattern(1000, 2));
            assertArrayEquals(pattern(1000, 2).toArray(ValueLayout.JAVA_BYTE), vm.receive(2000));
        }
    }

    @Test
    void firstDatagramThatIsNotVfktIsTheFirstFrame() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, pattern(60, 7));
            assertEquals(vm.path().toString(), link.awaitPeer());
            assertArrayEquals(pattern(60, 7).toArray(ValueLayout.JAVA_BYTE), receiveOne());
            link.send(pattern(60, 8));
            assertNotNull(vm.receive(2000));
        }
    }

    @Test
    void receiveAloneLearnsThePeerAndSkipsVfkt() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            link.send(pattern(60, 1));
            assertEquals(1, count("tx_no_peer"));
            vm.sendTo(server, "VFKT");
            vm.sendTo(server, pattern(64, 1));
            assertEquals(64, receiveOne().length);
            assertEquals(0, count("rx_runt"), "VFKT is consumed, not a runt");
            assertEquals(vm.path().toString(), link.peerPath());
        }
    }

    @Test
    void newPeerIsLearnedAfterTheOldOneDied() throws Exception {
        DgramClient old = new DgramClient(dir.resolve("old.sock"));
        old.sendTo(server, "VFKT");
        link.awaitPeer();
        old.close(false); // the socket file stays: sendto gets ECONNREFUSED
        try (DgramClient fresh = new DgramClient(dir.resolve("new.sock"))) {
            fresh.sendTo(server, pattern(100, 1));
            assertEquals(100, receiveOne().length, "frames from another sender are delivered");
            assertEquals(1, count("rx_foreign_sender"));
            link.send(pattern(100, 2));
            assertEquals(1, count("tx_peer_gone"));
            fresh.sendTo(server, pattern(100, 3));
            receiveOne();
            assertEquals(1, count("peer_relearned"));
            assertEquals(fresh.path().toString(), link.peerPath());
            link.send(pattern(100, 4));
            assertArrayEquals(pattern(100, 4).toArray(ValueLayout.JAVA_BYTE), fresh.receive(2000));
        } finally {
            Files.deleteIfExists(dir.resolve("old.sock"));
        }
    }

    @Test
    void removedPeerPathCountsAsGoneAndVfktTakesOverAtOnce() throws Exception {
        DgramClient old = new DgramClient(dir.resolve("old.sock"));
        old.sendTo(server, "VFKT");
        link.awaitPeer();
        old.close(true); // file removed: sendto gets ENOENT
        link.send(pattern(60, 1));
        assertEquals(1, count("tx_peer_gone"));
        try (DgramClient a = new DgramClient(dir.resolve("a.sock")); DgramClient b = new DgramClient(dir.resolve("b.sock"))) {
            a.sendTo(server, "VFKT");
            b.sendTo(server, "VFKT"); // announcing a new VM wins even over a live peer
            a.sendTo(server, pattern(60, 2));
            receiveOne();
            assertEquals(2, count("peer_relearned"));
            assertEquals(b.path().toString(), link.peerPath());
            assertEquals(1, count("rx_foreign_sender"));
        }
    }

    @Test
    void unboundSenderIsDeliveredButCannotBeAnswered() throws Exception {
        try (DgramClient anon = new DgramClient(null)) {
            anon.sendTo(server, pattern(80, 1));
            assertEquals("", link.awaitPeer());
            assertEquals(80, receiveOne().length);
            assertEquals(2, count("rx_unbound_sender"), "seen by awaitPeer and by receive");
            link.send(pattern(80, 2));
            assertEquals(1, count("tx_no_peer"));
        }
    }

    @Test
    void oversizedDatagramsAreCountedAndDroppedBothWays() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, pattern(5000, 1));
            vm.sendTo(server, pattern(10, 1));
            vm.sendTo(server, pattern(200, 1));
            assertEquals(200, receiveOne().length);
            assertEquals(1, count("rx_truncated"));
            assertEquals(1, count("rx_runt"));
            link.send(pattern(3_000_000, 2)); // above SO_SNDBUF: EMSGSIZE
            assertEquals(1, count("tx_too_large"));
            link.send(pattern(200, 3));
            assertEquals(200, vm.receive(2000).length);
        }
    }

    @Test
    void fullPeerQueueIsWaitedForBoundedThenDropped() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, "VFKT");
            link.awaitPeer();
            int sends = 40; // net.unix.max_dgram_qlen is 10 here; the VM never reads
            long t0 = System.nanoTime();
            for (int i = 0; i < sends; i++) {
                long s = System.nanoTime();
                link.send(pattern(1500, i));
                assertTrue(System.nanoTime() - s < TimeUnit.MILLISECONDS.toNanos(UnixDatagramLink.SEND_WAIT_MILLIS + 500));
            }
            long waited = System.nanoTime() - t0;
            long dropped = count("tx_queue_full");
            assertTrue(dropped > 0 && dropped < sends, "dropped " + dropped);
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(dropped * UnixDatagramLink.SEND_WAIT_MILLIS),
                    "each drop waited its full budget instead of spinning: " + waited / 1_000_000 + " ms for " + dropped);
            int delivered = 0;
            while (vm.receive(0) != null) {
                delivered++;
            }
            assertEquals(sends - dropped, delivered);
        }
    }

    /** The VM drains slowly: every send that finds its queue full waits for room and then succeeds, in order. */
    @Test
    void fullPeerQueueIsWaitedOutOnThePeerThenTheSendSucceeds() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, "VFKT");
            link.awaitPeer();
            int sends = 60; // far above net.unix.max_dgram_qlen (10 by default)
            CompletableFuture<Void> sender = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < sends; i++) {
                        link.send(pattern(1000 + i, i));
                    }
                    sender.complete(null);
                } catch (Throwable t) {
                    sender.completeExceptionally(t);
                }
            });
            for (int i = 0; i < sends; i++) {
                if (i % 10 == 0) {
                    Thread.sleep(3); // let the queue fill up
                }
                byte[] got = vm.receive(5000);
                assertNotNull(got, "datagram " + i);
                assertArrayEquals(pattern(1000 + i, i).toArray(ValueLayout.JAVA_BYTE), got, "datagram " + i);
            }
            sender.get(10, TimeUnit.SECONDS);
            assertEquals(0, count("tx_queue_full"));
            assertTrue(link.waitsOnPeerQueue(), "a full queue made the sender wait on a socket connected to the VM");
        }
    }

    /** After the VM is replaced, waits follow the new VM's queue; the link's own socket never refuses senders. */
    @Test
    void newPeerGetsItsOwnQueueWaiter() throws Exception {
        DgramClient old = new DgramClient(dir.resolve("old.sock"));
        old.sendTo(server, "VFKT");
        link.awaitPeer();
        for (int i = 0; i < 15; i++) {
            link.send(pattern(100, i)); // fills the old VM's queue: the waiter connects to it
        }
        assertTrue(link.waitsOnPeerQueue());
        old.close(true);
        try (DgramClient fresh = new DgramClient(dir.resolve("new.sock"))) {
            fresh.sendTo(server, "VFKT"); // accepted: a connected socket would refuse it with EPERM
            fresh.sendTo(server, pattern(60, 1));
            assertEquals(60, receiveOne().length);
            assertEquals(fresh.path().toString(), link.peerPath());
            long full = count("tx_queue_full");
            for (int i = 0; i < 15; i++) {
                link.send(pattern(100, i));
            }
            assertTrue(count("tx_queue_full") > full, "the new VM does not read either");
            assertTrue(link.waitsOnPeerQueue());
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(pattern(100, i).toArray(ValueLayout.JAVA_BYTE), fresh.receive(2000), "datagram " + i);
            }
        }
    }

    /** A VM that sends vfkit's hello from its path and then binds that path again gets the frames. */
    @Test
    void vfkitHelloFromThePathTheVmThenBinds() throws Exception {
        Path vmPath = dir.resolve("hello-vm.sock");
        VfkitHello.send(vmPath, server);
        assertEquals(vmPath.toString(), link.awaitPeer());
        assertFalse(Files.exists(vmPath), "the hello socket's file is removed for the VM to bind");
        try (DgramClient vm = new DgramClient(vmPath)) {
            link.send(pattern(64, 9));
            assertArrayEquals(pattern(64, 9).toArray(ValueLayout.JAVA_BYTE), vm.receive(2000));
            vm.sendTo(server, pattern(64, 10));
            assertArrayEquals(pattern(64, 10).toArray(ValueLayout.JAVA_BYTE), receiveOne());
        }
    }

    @Test
    void closeWakesBlockedReceiveAndRemovesTheFile() throws Exception {
        CompletableFuture<Boolean> r = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                r.complete(link.receive(pool.acquire()));
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        Thread.sleep(200);
        assertFalse(r.isDone());
        link.close();
        assertFalse(r.get(2, TimeUnit.SECONDS));
        assertFalse(Files.exists(server));
        link.close();
    }

    @Test
    void bindToExistingPathFails() {
        NativeException e = assertThrows(NativeException.class, () -> UnixDatagramLink.bind(server, counters, "x"));
        assertEquals(98, e.errno());
        assertTrue(Files.exists(server), "a failed bind must not remove the other socket's file");
    }

    @Test
    void zeroLengthDatagramIsARuntNotEndOfStream() throws Exception {
        try (DgramClient vm = new DgramClient(dir.resolve("vm.sock"))) {
            vm.sendTo(server, "");
            vm.sendTo(server, pattern(60, 1));
            assertEquals(60, receiveOne().length);
            assertEquals(1, count("rx_runt"));
            assertNull(vm.receive(0));
        }
    }
}
