package io.gvproxy.core.dns;

import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random and mutated queries through the server (no upstream, so forwarding fails synchronously) and random
 * and mutated responses through the parser and the truncation: every query gets at most one well-formed
 * response within the size limit, and nothing throws.
 */
class DnsFuzzTest {
    static final String[] NAMES = {"gateway.containers.internal.", "host.docker.internal.", "x.wild.test.",
            "missing.containers.internal.", "example.com.", "big.example.", "a.b.c.d.e.f.", "."};
    static final int[] TYPES = {1, 28, 15, 16, 33, 12, 6, 5, 255, 0, 65535};

    static long seed() {
        return Long.getLong("fuzz.seed", System.nanoTime());
    }

    static byte[] mutate(Random rnd, byte[] b) {
        byte[] m = b.clone();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                for (int f = 0, n = 1 + rnd.nextInt(4); f < n; f++) {
                    m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> m = Arrays.copyOf(m, rnd.nextInt(m.length + 1));
            case 2 -> {
                m = Arrays.copyOf(m, m.length + 1 + rnd.nextInt(40));
                for (int i = b.length; i < m.length; i++) {
                    m[i] = (byte) rnd.nextInt(256);
                }
            }
            case 3 -> {
                int at = 12 + rnd.nextInt(Math.max(1, m.length - 13));
                if (at + 1 < m.length) {
                    m[at] = (byte) (0xC0 | rnd.nextInt(64));
                    m[at + 1] = (byte) rnd.nextInt(256);
                }
            }
            default -> {
                if (m.length >= 12) {
                    DnsWire.put16(m, 4 + 2 * rnd.nextInt(4), rnd.nextInt(4));
                }
            }
        }
        return m;
    }

    @Test
    void serverAnswersOrDropsButNeverThrows() {
        long seed = seed();
        Random rnd = new Random(seed);
        ZoneTable zones = ZoneTable.defaults(ZoneTableTest.GW, ZoneTableTest.HOST);
        zones.addZone(new Zone("wild.test.", List.of(ZoneRecord.matching("^[a-z]$", 1)), OptionalInt.of(2)));
        DnsServer server = new DnsServer(DnsConfig.of(List.of()), zones, new Counters());
        int i = 0;
        try {
            for (; i < 12_000; i++) {
                byte[] q;
                if (i % 4 == 0) {
                    q = new byte[rnd.nextInt(300)];
                    rnd.nextBytes(q);
                } else {
                    DnsQueryBuilder b = DnsQueryBuilder.query(NAMES[rnd.nextInt(NAMES.length)],
                            TYPES[rnd.nextInt(TYPES.length)]).id(rnd.nextInt(65536)).flags(rnd.nextInt(4) == 0
                            ? rnd.nextInt(65536) : DnsWire.FLAG_RD);
                    if (rnd.nextBoolean()) {
                        b.edns(rnd.nextInt(65536));
                    }
                    if (rnd.nextInt(10) == 0) {
                        b.ednsVersion(rnd.nextInt(3));
                    }
                    q = b.bytes();
                    if (rnd.nextInt(3) != 0) {
                        q = mutate(rnd, q);
                    }
                }
                DnsTransport transport = rnd.nextBoolean() ? DnsTransport.UDP : DnsTransport.TCP;
                List<byte[]> out = new ArrayList<>();
                boolean answered = server.handle(q, transport, out::add);
                assertTrue(out.size() <= 1);
                assertEquals(answered, out.size() == 1);
                if (!out.isEmpty()) {
                    byte[] r = out.getFirst();
                    DnsMessage m = DnsMessage.parse(r);
                    assertTrue(m.isResponse());
                    assertEquals(DnsWire.u16(q, 0), m.id());
                    if (transport == DnsTransport.UDP) {
                        assertTrue(r.length <= DnsWire.MAX_MESSAGE);
                    }
                }
            }
        } catch (Throwable t) {
            fail("seed " + seed + " (rerun with -Dfuzz.seed=" + seed + "), message " + i + ": " + t, t);
        }
    }

    @Test
    void parserAndTruncationNeverThrow() {
        long seed = seed();
        Random rnd = new Random(seed);
        int i = 0;
        try {
            for (; i < 12_000; i++) {
                byte[] r;
                if (i % 4 == 0) {
                    r = new byte[rnd.nextInt(700)];
                    rnd.nextBytes(r);
                } else {
                    byte[] q = DnsQueryBuilder.query(NAMES[rnd.nextInt(NAMES.length)], TYPES[rnd.nextInt(7)])
                            .id(rnd.nextInt(65536)).bytes();
                    r = FakeUpstream.response(q, FakeUpstream.Mode.ANSWER);
                    if (rnd.nextInt(4) != 0) {
                        r = mutate(rnd, r);
                    }
                }
                try {
                    DnsMessage.parse(r);
                } catch (MalformedDnsException expected) {
                    // The defined outcome for bad input.
                }
                if (r.length >= DnsWire.HEADER_LENGTH) {
                    int limit = DnsWire.MIN_UDP_PAYLOAD + rnd.nextInt(3000);
                    byte[] cut = DnsTruncation.fit(r, limit);
                    assertTrue(cut.length <= limit);
                    if (cut != r) {
                        DnsMessage.parse(cut);
                    }
                }
            }
        } catch (Throwable t) {
            fail("seed " + seed + " (rerun with -Dfuzz.seed=" + seed + "), message " + i + ": " + t, t);
        }
    }
}
