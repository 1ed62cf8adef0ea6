package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gateway frames sent by their producer when the port's writer is idle (one port only), in order either way. */
class SwitchPortDirectSendTest {
    private static final MacAddress VM = SwitchFixture.mac(1);

    private static void fromGateway(SwitchFixture fx, byte[] frame) {
        Frame f = fx.pool.copyOf(MemorySegment.ofArray(frame));
        try {
            fx.sw.gatewayOutput().accept(f);
        } finally {
            f.release();
        }
    }

    /** Makes the switch learn where {@code mac} is, so that frames to it are unicast to {@code link}'s port. */
    private static void learn(SwitchFixture fx, TestLink link, MacAddress mac) throws InterruptedException {
        byte[] hello = SwitchFixture.frame(SwitchFixture.GATEWAY, mac, "hello");
        link.inject(hello);
        fx.expectAtGateway(hello);
    }

    @Test
    void withOnePortAnIdleWriterIsBypassed() throws InterruptedException {
        try (SwitchFixture fx = new SwitchFixture()) {
            TestLink vm = fx.attach("vm");
            learn(fx, vm, VM);
            Thread.sleep(1);
            byte[] f = SwitchFixture.frame(VM, SwitchFixture.GATEWAY, "direct");
            fromGateway(fx, f);
            SwitchFixture.expect(vm, f);
            assertEquals(Thread.currentThread(), vm.sendThread, "sent by the producing thread");
            assertEquals(1, fx.port(vm).framesOut());
        }
    }

    @Test
    void fullSizeFramesGoThroughTheWriter() throws InterruptedException {
        try (SwitchFixture fx = new SwitchFixture()) {
            TestLink vm = fx.attach("vm");
            learn(fx, vm, VM);
            byte[] f = java.util.Arrays.copyOf(SwitchFixture.frame(VM, SwitchFixture.GATEWAY, "bulk"), 1514);
            fromGateway(fx, f);
            SwitchFixture.expect(vm, f);
            assertNotEquals(Thread.currentThread(), vm.sendThread, "bursts of full frames are the writer's");
        }
    }

    @Test
    void withTwoPortsTheWriterSends() throws InterruptedException {
        try (SwitchFixture fx = new SwitchFixture()) {
            TestLink vm = fx.attach("vm");
            fx.attach("other");
            learn(fx, vm, VM);
            byte[] f = SwitchFixture.frame(VM, SwitchFixture.GATEWAY, "queued");
            fromGateway(fx, f);
            SwitchFixture.expect(vm, f);
            assertNotEquals(Thread.currentThread(), vm.sendThread, "a slow port must not stall the producer");
        }
    }

    /** Frames close together, far apart and from two threads: each thread's frames arrive in its order, none lost. */
    @RepeatedTest(5)
    void directAndQueuedSendsKeepEachProducersOrder(RepetitionInfo rep) throws Exception {
        long seed = 0xD1EC7L * rep.getCurrentRepetition();
        int perThread = 400;
        try (SwitchFixture fx = new SwitchFixture()) {
            TestLink vm = fx.attach("vm");
            learn(fx, vm, VM);
            Thread[] producers = new Thread[2];
            for (int t = 0; t < producers.length; t++) {
                int id = t;
                Random random = new Random(seed + t);
                producers[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        fromGateway(fx, SwitchFixture.frame(VM, SwitchFixture.GATEWAY, "p" + id + " " + i));
                        if (random.nextInt(4) == 0) {
                            LockSupport.parkNanos(random.nextInt(60_000));
                        }
                    }
                });
            }
            for (Thread p : producers) {
                p.join();
            }
            int[] next = new int[producers.length];
            for (int i = 0; i < perThread * producers.length; i++) {
                byte[] got = vm.pollSent(SwitchFixture.WAIT_MS);
                assertTrue(got != null, "frame " + i + " missing, seed " + seed);
                String tag = new String(got, 14, 8, java.nio.charset.StandardCharsets.US_ASCII).trim();
                int producer = tag.charAt(1) - '0';
                int seq = Integer.parseInt(tag.substring(3).trim().split("\0")[0]);
                assertEquals(next[producer]++, seq, "producer " + producer + " order, seed " + seed);
            }
            assertEquals(0, fx.port(vm).txDropped(), "seed " + seed);
        }
    }
}
