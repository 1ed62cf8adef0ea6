package io.gvproxy.core.dhcp;

import io.gvproxy.core.net.MacAddress;
import io.gvproxy.core.stats.Counters;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Random and mutated messages: the server answers or drops, never throws, and its table stays bounded. */
class DhcpFuzzTest {
    @Test
    void randomAndMutatedMessagesNeverThrow() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random rnd = new Random(seed);
        DhcpServer server = new DhcpServer(DhcpServerTest.smallPool(), new Counters());
        int poolSize = 3;
        int[] types = {1, 3, 4, 7, 8, 2, 0, 99};
        int i = 0;
        try {
            for (; i < 12_000; i++) {
                byte[] msg;
                if (i % 3 == 0) {
                    msg = new byte[rnd.nextInt(600)];
                    rnd.nextBytes(msg);
                    if (msg.length >= 240 && rnd.nextBoolean()) {
                        msg[0] = 1; msg[1] = 1; msg[2] = 6;
                        msg[236] = 0x63; msg[237] = (byte) 0x82; msg[238] = 0x53; msg[239] = 0x63;
                    }
                } else {
                    DhcpRequestBuilder b = DhcpRequestBuilder.of(types[rnd.nextInt(types.length)],
                            new MacAddress(0x0200_0000_0000L | rnd.nextInt(64)));
                    if (rnd.nextBoolean()) b.ipOption(DhcpOptions.REQUESTED_IP, 0xC0A86400 | rnd.nextInt(16));
                    if (rnd.nextBoolean()) b.ipOption(DhcpOptions.SERVER_ID, 0xC0A86400 | rnd.nextInt(3));
                    if (rnd.nextInt(4) == 0) b.ciaddr(0xC0A86400 | rnd.nextInt(16));
                    if (rnd.nextInt(8) == 0) b.giaddr(rnd.nextInt());
                    if (rnd.nextBoolean()) b.broadcast();
                    if (rnd.nextInt(4) == 0) {
                        byte[] v = new byte[rnd.nextInt(300)];
                        rnd.nextBytes(v);
                        b.option(rnd.nextInt(254) + 1, java.util.Arrays.copyOf(v, Math.min(v.length, 255)));
                    }
                    msg = b.bytes();
                    int flips = rnd.nextInt(4);
                    for (int f = 0; f < flips; f++) {
                        msg[rnd.nextInt(msg.length)] = (byte) rnd.nextInt(256);
                    }
                    if (rnd.nextInt(5) == 0) {
                        msg = java.util.Arrays.copyOf(msg, rnd.nextInt(msg.length + 1));
                    }
                }
                var reply = server.handle(MemorySegment.ofArray(msg), 1_000_000L + i * 10_000L);
                reply.ifPresent(r -> assertTrue(DhcpMessage.parse(r.payload()).isPresent()));
                assertTrue(server.trackedAddresses() <= poolSize);
                List<Lease> leases = server.leases(1_000_000L + i * 10_000L);
                assertTrue(leases.size() <= poolSize + 1);
            }
        } catch (Throwable t) {
            fail("seed " + seed + " (rerun with -Dfuzz.seed=" + seed + "), message " + i + ": " + t, t);
        }
    }
}
