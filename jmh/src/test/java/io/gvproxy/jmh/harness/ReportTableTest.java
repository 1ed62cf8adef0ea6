package io.gvproxy.jmh.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTableTest {
    private static Measurement g2h(double gbps, double foreign) {
        return new Measurement(TestKind.TCP_G2H, Map.of("gbps", gbps), 90, 60, 180, foreign, null);
    }

    @Test
    void cellsAreMediansWithMinMaxAndRatiosAreToVeth() {
        PathResult veth = new PathResult("veth", "kernel veth");
        veth.add(g2h(10, 0));
        veth.add(g2h(12, 0));
        veth.add(g2h(20, 0));
        PathResult gv = new PathResult("gvproxy-1500", "gvproxy (ours) MTU 1500");
        gv.add(g2h(0.6, 1));
        gv.add(g2h(1.2, 2));
        gv.add(Measurement.failed(TestKind.TCP_G2H, "iperf3: refused"));
        String table = ReportTable.results(List.of(veth, gv));
        String[] rows = table.split("\n");
        assertEquals(4, rows.length, table);
        for (int i = 1; i < rows.length; i++) {
            assertEquals(rows[0].split("\\|").length, rows[i].split("\\|").length, "columns of row " + i);
        }
        assertTrue(rows[2].startsWith("| kernel veth | 12.000 (10.000-20.000) |"), rows[2]);
        // The failed repetition is left out: median of 0.6 and 1.2; ratio 0.9 / 12.
        assertTrue(rows[3].startsWith("| gvproxy (ours) MTU 1500 | 0.900 (0.600-1.200) |"), rows[3]);
        assertTrue(rows[3].contains("| 0.075 |"), rows[3]);
        assertEquals(List.of("guest→host TCP: iperf3: refused"), gv.failures());
    }

    @Test
    void cpuTableShowsProxyAndForwarderMediansAndForeignLoad() {
        PathResult gv = new PathResult("gvproxy-1500", "gvproxy (ours) MTU 1500");
        gv.add(g2h(1, 5));
        gv.add(g2h(1, 40));
        gv.add(g2h(1, 10));
        gv.countRepeated();
        String row = ReportTable.cpu(List.of(gv)).split("\n")[2];
        assertTrue(row.startsWith("| gvproxy (ours) MTU 1500 | 90 / 60 | - |"), row);
        assertTrue(row.endsWith("| 10 (40) | 1 |"), row);
    }

    @Test
    void missingValuesPrintAsADash() {
        assertEquals("-", ReportTable.fmt(Double.NaN, 2));
        assertEquals("1.50", ReportTable.fmt(1.5, 2));
        assertEquals(Double.NaN, PathResult.median(new double[0]));
        assertEquals(2.5, PathResult.median(new double[] {1, 2, 3, 4}));
    }
}
