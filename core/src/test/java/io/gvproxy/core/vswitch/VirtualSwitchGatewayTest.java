package io.gvproxy.core.vswitch;

import io.gvproxy.core.buffer.Frame;
import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gvproxy.core.vswitch.SwitchFixture.GATEWAY;
import static io.gvproxy.core.vswitch.SwitchFixture.expect;
import static io.gvproxy.core.vswitch.SwitchFixture.frame;
import static io.gvproxy.core.vswitch.SwitchFixture.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;

class VirtualSwitchGatewayTest {
    private SwitchFixture fx;
    private TestLink a;
    private TestLink b;

    @BeforeEach
    void setUp() {
        fx = new SwitchFixture();
        a = fx.attach("a");
        b = fx.attach("b");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private void emit(byte[] bytes) {
        Frame f = fx.pool.copyOf(MemorySegment.ofArray(bytes));
        try {
            fx.sw.gatewayOutput().accept(f);
        } finally {
            f.release();
        }
    }

    @Test
    void framesToTheGatewayMacReachOnlyTheGateway() throws Exception {
        byte[] toGw = frame(GATEWAY, mac(1), "ping the gateway");
        a.inject(toGw);
        fx.expectAtGateway(toGw);
        fx.assertNothingMore(List.of(a), List.of(a, b));
    }

    @Test
    void theGatewayIsLentTheFrameOnTheReceivingPortsReaderThread() throws Exception {
        LinkedBlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
        try (VirtualSwitch sw = new VirtualSwitch(new Counters())) {
            sw.attachGateway(GATEWAY, f -> threads.add(Thread.currentThread()));
            TestLink l = new TestLink("l");
            sw.attach(l, fx.pool, p -> { });
            l.inject(frame(GATEWAY, mac(1), "x"));
            Thread t = threads.poll(SwitchFixture.WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals(l.receiveThread, t);
            assertFalse(t.isVirtual());
        }
    }

    @Test
    void gatewayBroadcastsGoToEveryPort() throws Exception {
        byte[] arp = frame(MacAddress.BROADCAST, GATEWAY, "gateway arp");
        emit(arp);
        expect(a, arp);
        expect(b, arp);
    }

    @Test
    void gatewayUnicastFollowsTheCamAndUnknownUnicastFloods() throws Exception {
        MacAddress x = mac(1);
        byte[] hello = frame(GATEWAY, x, "x says hi");
        b.inject(hello);
        fx.expectAtGateway(hello);

        byte[] reply = frame(x, GATEWAY, "reply to x");
        emit(reply);
        expect(b, reply);

        byte[] toUnknown = frame(mac(77), GATEWAY, "to unknown");
        emit(toUnknown);
        expect(a, toUnknown);
        expect(b, toUnknown);
        fx.assertNothingMore(List.of(), List.of(a, b));
    }

    @Test
    void gatewayFramesToItselfAndRuntsAreDropped() throws Exception {
        emit(frame(GATEWAY, GATEWAY, "loop"));
        emit(new byte[10]);
        fx.assertNothingMore(List.of(), List.of(a, b));
        assertEquals(1, fx.counters.get("switch.gateway_to_self_dropped"));
        assertEquals(1, fx.counters.get("switch.runt_frames"));
    }

    @Test
    void aFailingGatewayDoesNotTakeDownThePort() throws Exception {
        Counters counters = new Counters();
        try (VirtualSwitch sw = new VirtualSwitch(counters)) {
            sw.attachGateway(GATEWAY, f -> {
                throw new IllegalStateException("gateway bug");
            });
            TestLink l = new TestLink("l");
            TestLink m = new TestLink("m");
            sw.attach(l, fx.pool, p -> { });
            sw.attach(m, fx.pool, p -> { });
            l.inject(frame(GATEWAY, mac(1), "boom"));
            byte[] after = frame(MacAddress.BROADCAST, mac(1), "still alive");
            l.inject(after);
            expect(m, after);
            // The broadcast was lent to the gateway as well, and failed there too.
            assertEquals(2, counters.get("switch.gateway_errors"));
            assertEquals(2, sw.ports().size());
        }
    }

    @Test
    void onlyOneGatewayAndItsMacMustBeUnicast() {
        assertThrows(IllegalStateException.class, () -> fx.sw.attachGateway(mac(5), f -> { }));
        try (VirtualSwitch sw = new VirtualSwitch(new Counters())) {
            assertThrows(IllegalArgumentException.class, () -> sw.attachGateway(MacAddress.BROADCAST, f -> { }));
        }
    }
}
