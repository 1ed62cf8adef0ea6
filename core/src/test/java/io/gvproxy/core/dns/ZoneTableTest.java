package io.gvproxy.core.dns;

import io.gvproxy.core.net.Ipv4;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class ZoneTableTest {
    static final int GW = Ipv4.parse("192.168.127.1");
    static final int HOST = Ipv4.parse("192.168.127.254");

    static int ip(String s) {
        return Ipv4.parse(s);
    }

    static Zone.ZoneAnswer lookup(ZoneTable t, String name) {
        return t.lookup(name);
    }

    @Test
    void defaultZonesAnswerGatewayAndHost() {
        ZoneTable t = ZoneTable.defaults(GW, HOST);
        assertEquals(List.of("containers.internal.", "docker.internal."), t.zones().stream().map(Zone::name).toList());
        assertEquals(GW, lookup(t, "gateway.containers.internal.").ip());
        assertEquals(HOST, lookup(t, "host.docker.internal.").ip());
        assertFalse(lookup(t, "nothing.containers.internal.").exists());
        assertNull(lookup(t, "containers.internal."), "the apex is not in the zone, as upstream");
        assertNull(lookup(t, "gateway.xcontainers.internal."));
        assertNull(lookup(t, "example.com."));
    }

    @Test
    void matchingIgnoresCase() {
        ZoneTable t = ZoneTable.defaults(GW, HOST);
        assertEquals(GW, lookup(t, "GaTeWaY.Containers.INTERNAL.").ip());
        t.addZone(new Zone("Lab.Test", List.of(ZoneRecord.matching("^web-[0-9]+$", ip("10.0.0.9"))),
                OptionalInt.empty()));
        assertEquals(ip("10.0.0.9"), lookup(t, "WEB-12.lab.test.").ip());
    }

    @Test
    void regexpIsUnanchoredOverTheLabelsLeftOfTheZone() {
        ZoneTable t = new ZoneTable(List.of(new Zone("z.test.", List.of(
                ZoneRecord.matching("b\\.c", ip("10.0.0.1")),
                new ZoneRecord("", ip("10.0.0.2"), Pattern.compile("^x$"))), OptionalInt.empty())));
        assertEquals(ip("10.0.0.1"), lookup(t, "a.b.c.d.z.test.").ip());
        assertEquals(ip("10.0.0.2"), lookup(t, "x.z.test.").ip());
        assertFalse(lookup(t, "xx.z.test.").exists());
        assertFalse(lookup(t, "c.z.test.").exists(), "the zone name itself is not part of the matched string");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aCatastrophicRegexpGivesUpInsteadOfHoldingTheThread() {
        ZoneTable t = new ZoneTable(List.of(new Zone("z.test.", List.of(
                ZoneRecord.matching("^(a+)+$", ip("10.0.0.1")), ZoneRecord.named("a".repeat(40) + "b", ip("10.0.0.2"))),
                OptionalInt.empty())));
        long t0 = System.nanoTime();
        assertEquals(ip("10.0.0.2"), lookup(t, "a".repeat(40) + "b.z.test.").ip());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
        assertEquals(ip("10.0.0.1"), lookup(t, "aaaa.z.test.").ip());
    }

    @Test
    void firstMatchingRecordThenDefaultIp() {
        ZoneTable t = new ZoneTable(List.of(new Zone("z.test.", List.of(
                ZoneRecord.matching("web", ip("10.0.0.1")), ZoneRecord.named("web", ip("10.0.0.2")),
                ZoneRecord.named("multi.label", ip("10.0.0.3"))), OptionalInt.of(ip("10.0.0.99")))));
        assertEquals(ip("10.0.0.1"), lookup(t, "web.z.test.").ip());
        assertEquals(ip("10.0.0.3"), lookup(t, "multi.label.z.test.").ip());
        assertEquals(ip("10.0.0.99"), lookup(t, "anything.else.z.test.").ip());
    }

    @Test
    void zonesAreCheckedInListOrder() {
        ZoneTable t = new ZoneTable(List.of(
                new Zone("a.test.", List.of(), OptionalInt.empty()),
                new Zone("b.a.test.", List.of(ZoneRecord.named("x", ip("10.0.0.1"))), OptionalInt.empty())));
        assertFalse(lookup(t, "x.b.a.test.").exists(), "the first zone containing the name decides");
    }

    @Test
    void reAddingAZoneMergesAsUpstream() {
        ZoneTable t = ZoneTable.defaults(GW, HOST);
        t.addZone(new Zone("containers.internal.", List.of(ZoneRecord.named("gateway", ip("10.1.1.1")),
                ZoneRecord.named("new", ip("10.1.1.2"))), OptionalInt.of(ip("10.1.1.3"))));
        Zone z = t.zones().getFirst();
        assertEquals(List.of("gateway", "new", "gateway", "host"), z.records().stream().map(ZoneRecord::name).toList());
        assertEquals(ip("10.1.1.1"), lookup(t, "gateway.containers.internal.").ip(), "new records come first");
        assertEquals(HOST, lookup(t, "host.containers.internal.").ip());
        assertEquals(ip("10.1.1.3"), lookup(t, "other.containers.internal.").ip());
        t.addZone(new Zone("CONTAINERS.internal", List.of(), OptionalInt.empty()));
        assertFalse(lookup(t, "other.containers.internal.").exists(), "an absent DefaultIP replaces the old one");
        assertEquals(2, t.zones().size());
        t.addZone(new Zone("new.test", List.of(), OptionalInt.of(ip("10.9.9.9"))));
        assertEquals(List.of("containers.internal.", "docker.internal.", "new.test."),
                t.zones().stream().map(Zone::name).toList());
    }

    @Test
    void concurrentAddsAreAllKept() throws Exception {
        ZoneTable t = new ZoneTable(List.of());
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int n = i;
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 50; j++) {
                    t.addZone(new Zone("shared.test.", List.of(ZoneRecord.named("r" + n + "-" + j, n)),
                            OptionalInt.empty()));
                    assertNotNull(lookup(t, "x.shared.test."));
                }
            });
        }
        start.countDown();
        for (Thread th : ts) {
            th.join(10_000);
        }
        assertEquals(1, t.zones().size());
        assertEquals(threads * 50, t.zones().getFirst().records().size());
    }
}
