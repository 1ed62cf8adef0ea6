package io.gvproxy.core.vswitch;

import io.gvproxy.core.net.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.gvproxy.core.vswitch.SwitchFixture.expect;
import static io.gvproxy.core.vswitch.SwitchFixture.frame;
import static io.gvproxy.core.vswitch.SwitchFixture.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;

class VirtualSwitchForwardingTest {
    private SwitchFixture fx;
    private TestLink a;
    private TestLink b;
    private TestLink c;

    @BeforeEach
    void setUp() {
        fx = new SwitchFixture();
        a = fx.attach("a");
        b = fx.attach("b");
        c = fx.attach("c");
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void portsGetIncrementingIds() {
        assertEquals(List.of(0, 1, 2), fx.sw.ports().stream().map(SwitchPort::id).toList());
    }

    @Test
    void unicastToALearnedMacGoesOnlyToItsPort() throws Exception {
        MacAddress x = mac(1);
        MacAddress y = mac(2);
        byte[] hello = frame(MacAddress.BROADCAST, x, "hello from x");
        a.inject(hello);
        expect(b, hello);
        expect(c, hello);

        byte[] toX = frame(x, y, "to x");
        b.inject(toX);
        expect(a, toX);
        fx.assertNothingMore(List.of(a, b), List.of(a, b, c));
        assertEquals(Map.of(x, 0, y, 1), fx.sw.cam());
    }

    @Test
    void unknownUnicastFloodsToEveryPortButTheSource() throws Exception {
        byte[] toNobody = frame(mac(99), mac(1), "unknown");
        a.inject(toNobody);
        expect(b, toNobody);
        expect(c, toNobody);
        fx.assertNothingMore(List.of(a), List.of(a, b, c));
        assertEquals(1, fx.counters.get("switch.unknown_unicast_flooded"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"33:33:00:00:00:01", "33:33:ff:00:00:02", "01:00:5e:00:00:fb", "01:80:c2:00:00:00"})
    void multicastFloodsToEveryPortButTheSourceAndNotToTheGateway(String group) throws Exception {
        byte[] m = frame(MacAddress.parse(group), mac(1), "multicast " + group);
        b.inject(m);
        expect(a, m);
        expect(c, m);
        fx.assertNothingMore(List.of(b), List.of(a, b, c));
        assertEquals(0, fx.gatewayFrames.stream().filter(g -> java.util.Arrays.equals(g, m)).count());
    }

    @Test
    void broadcastReachesEveryPortButTheSourceAndTheGateway() throws Exception {
        byte[] bc = frame(MacAddress.BROADCAST, mac(3), "who has");
        c.inject(bc);
        expect(a, bc);
        expect(b, bc);
        fx.expectAtGateway(bc);
        fx.assertNothingMore(List.of(c), List.of(a, b, c));
    }

    @Test
    void unicastBackToTheSourcePortIsDropped() throws Exception {
        MacAddress x = mac(1);
        MacAddress y = mac(2);
        a.inject(frame(MacAddress.BROADCAST, x, "x"));
        a.inject(frame(MacAddress.BROADCAST, y, "y"));
        byte[] xToY = frame(y, x, "x to y on the same segment");
        a.inject(xToY);
        fx.assertNothingMore(List.of(a), List.of(a));
        assertEquals(1, fx.counters.get("switch.same_port_dropped"));
    }

    @Test
    void aMovedMacFollows() throws Exception {
        MacAddress x = mac(1);
        byte[] fromA = frame(MacAddress.BROADCAST, x, "x on a");
        a.inject(fromA);
        expect(b, fromA);
        expect(c, fromA);
        byte[] fromC = frame(MacAddress.BROADCAST, x, "x now on c");
        c.inject(fromC);
        expect(a, fromC);
        expect(b, fromC);

        byte[] toX = frame(x, mac(2), "to x");
        b.inject(toX);
        expect(c, toX);
        fx.assertNothingMore(List.of(a, b, c), List.of(a, b, c));
        assertEquals(2, fx.sw.cam().get(x));
    }

    @Test
    void framesShorterThanAnEthernetHeaderAreCountedAndDropped() throws Exception {
        a.inject(new byte[13]);
        a.inject(new byte[0]);
        fx.assertNothingMore(List.of(a), List.of(a, b, c));
        assertEquals(2, fx.counters.get("switch.runt_frames"));
        assertEquals(Map.of(), fx.sw.cam());
    }

    @Test
    void aGroupSourceAddressIsNotLearned() throws Exception {
        MacAddress group = MacAddress.parse("01:00:5e:00:00:01");
        byte[] f = frame(MacAddress.BROADCAST, group, "bogus source");
        a.inject(f);
        expect(b, f);
        assertEquals(Map.of(), fx.sw.cam());
    }

    @Test
    void byteCountersCountEveryReceivedFrameAndEveryDelivery() throws Exception {
        byte[] bc = frame(MacAddress.BROADCAST, mac(1), "broadcast");
        byte[] uni = frame(mac(1), mac(2), "unicast of a longer length than the broadcast, well over 46 bytes");
        a.inject(bc);
        expect(b, bc);
        expect(c, bc);
        b.inject(uni);
        expect(a, uni);
        long received = bc.length + uni.length;
        long sent = 2L * bc.length + uni.length;
        SwitchFixture.awaitValue(sent, fx.sw::bytesSent, "bytesSent");
        assertEquals(received, fx.sw.bytesReceived());

        SwitchPort pa = fx.port(a);
        SwitchPort pb = fx.port(b);
        SwitchPort pc = fx.port(c);
        assertEquals(1, pa.framesIn());
        assertEquals(bc.length, pa.bytesIn());
        assertEquals(1, pa.framesOut());
        assertEquals(uni.length, pa.bytesOut());
        assertEquals(1, pb.framesIn());
        assertEquals(uni.length, pb.bytesIn());
        assertEquals(bc.length, pb.bytesOut());
        assertEquals(bc.length, pc.bytesOut());
        assertEquals(0, pc.framesIn());
        assertEquals(bc.length, fx.counters.get("switch.port.1.tx_bytes"));
    }
}
