package io.gvproxy.ffm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_VSOCK bind/listen/getsockname/accept-wakeup only: this kernel has no vsock loopback transport (a
 * connect to CID 1 would go to the hypervisor and time out), so no connection is made; the data path is
 * covered by {@link NativeStreamChannelTest} over AF_UNIX.
 */
class VsockTest {
    private static void requireVsock() {
        boolean present = Files.exists(Path.of("/dev/vsock"));
        if (!present) {
            System.out.println("VsockTest skipped: /dev/vsock is missing");
        }
        Assumptions.assumeTrue(present, "/dev/vsock is missing");
    }

    @Test
    void parsesUpstreamUrls() {
        assertEquals(new VsockAddress(SockaddrVm.VMADDR_CID_ANY, 1024), VsockAddress.parse("vsock://:1024"));
        assertEquals(new VsockAddress(3, 1024), VsockAddress.parse("vsock://3:1024"));
        assertEquals("vsock://:1024", VsockAddress.parse("vsock://:1024").toString());
        assertEquals("vsock://3:1024", new VsockAddress(3, 1024).toString());
        for (String bad : new String[] {"vsock://1024", "unix:///x", "vsock://a:1", "vsock://:x", "vsock://:1/dir",
                "vsock://:4294967296", "vsock://-1:5"}) {
            assertThrows(IllegalArgumentException.class, () -> VsockAddress.parse(bad), bad);
        }
    }

    @Test
    void bindListenAndGetsockname() throws Exception {
        requireVsock();
        try (VsockListener l = VsockListener.bind(new VsockAddress(SockaddrVm.VMADDR_CID_ANY, SockaddrVm.VMADDR_PORT_ANY))) {
            VsockAddress bound = l.localAddress();
            assertEquals(SockaddrVm.VMADDR_CID_ANY, bound.cid());
            assertNotEquals(SockaddrVm.VMADDR_PORT_ANY, bound.port(), "the kernel picked a port");
            NativeException e = assertThrows(NativeException.class,
                    () -> VsockListener.bind(new VsockAddress(SockaddrVm.VMADDR_CID_ANY, bound.port())));
            assertEquals(98, e.errno());
            assertTrue(e.getMessage().startsWith("bind vsock://:" + bound.port() + ": Address already in use"), e.getMessage());
        }
    }

    @Test
    void localCidIsAGuestOrHostCid() throws Exception {
        requireVsock();
        long cid = VsockListener.localCid();
        assertTrue(cid >= SockaddrVm.VMADDR_CID_HOST && cid != SockaddrVm.VMADDR_CID_ANY, "cid " + cid);
    }

    @Test
    void closeWakesBlockedAccept() throws Exception {
        requireVsock();
        VsockListener l = VsockListener.bind(new VsockAddress(SockaddrVm.VMADDR_CID_ANY, SockaddrVm.VMADDR_PORT_ANY));
        CompletableFuture<Object> r = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                r.complete(l.accept());
            } catch (Throwable t) {
                r.completeExceptionally(t);
            }
        });
        Thread.sleep(200);
        assertFalse(r.isDone());
        l.close();
        l.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> r.get(2, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }
}
