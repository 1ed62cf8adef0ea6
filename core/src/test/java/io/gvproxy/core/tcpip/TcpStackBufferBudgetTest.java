package io.gvproxy.core.tcpip;

import io.gvproxy.core.link.FaultInjectingLink;
import io.gvproxy.core.tcp.TcpBufferBudget;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many bulk flows between two stacks that share one small buffer budget. */
class TcpStackBufferBudgetTest {
    /** Per connection end: a receive floor and a send floor with its mirror (4 KiB each). */
    private static final long FLOORS_PER_END = 3 * 4096;

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    @Test
    void bulkFlowsStayWithinTheBudgetCompleteAndGiveItBack() throws Exception {
        TcpBufferBudget budget = new TcpBufferBudget(512 << 10);
        TcpStackConfig base = TcpStackConfig.forMtu(1500);
        TcpStackConfig config = base.withTcp(base.tcp().toBuilder().bufferBudget(budget).build());
        int flows = 8;
        int bytes = 1 << 20;
        long bound = budget.limitBytes() + 2L * flows * FLOORS_PER_END;
        ExecutorService pool = Executors.newFixedThreadPool(2 * flows);
        try (LinkedStacks net = new LinkedStacks(config, FaultInjectingLink.Faults.NONE, 1, 1024)) {
            LinkedBlockingQueue<TcpStream> accepted = new LinkedBlockingQueue<>();
            net.b.setSynListener(o -> accepted.add(o.accept().orElseThrow()));
            List<TcpStream> clients = new ArrayList<>();
            List<TcpStream> servers = new ArrayList<>();
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < flows; i++) {
                TcpStream c = net.a.connect(LinkedStacks.IP_A, 40000 + i, LinkedStacks.IP_B, 80, LinkedStacks.MAC_B);
                c.awaitConnected(5, TimeUnit.SECONDS);
                TcpStream s = accepted.poll(5, TimeUnit.SECONDS);
                assertNotNull(s, "accepted " + i);
                clients.add(c);
                servers.add(s);
                byte[] data = pattern(bytes, i);
                writes.add(pool.submit(() -> {
                    c.outputStream().write(data);
                    c.shutdownOutput();
                    return null;
                }));
            }
            // nobody reads yet: the receive windows fill and the senders block within the budget
            long most = 0;
            for (int i = 0; i < 60; i++) {
                most = Math.max(most, budget.usedBytes());
                Thread.sleep(5);
            }
            assertTrue(most > 0 && most <= bound, "used " + most + " of " + budget.limitBytes());

            List<Future<byte[]>> reads = new ArrayList<>();
            for (TcpStream s : servers) {
                reads.add(pool.submit(() -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    s.inputStream().transferTo(out);
                    return out.toByteArray();
                }));
            }
            for (int i = 0; i < flows; i++) {
                writes.get(i).get(30, TimeUnit.SECONDS);
                assertArrayEquals(pattern(bytes, i), reads.get(i).get(30, TimeUnit.SECONDS), "flow " + i);
                assertTrue(budget.usedBytes() <= bound, "used " + budget.usedBytes());
            }
            for (int i = 0; i < flows; i++) {
                servers.get(i).close();
                clients.get(i).close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (budget.usedBytes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, budget.usedBytes(), "every grant went back once the connections closed");
        } finally {
            pool.shutdownNow();
        }
    }
}
