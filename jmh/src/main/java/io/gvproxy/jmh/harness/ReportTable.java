package io.gvproxy.jmh.harness;

import java.util.List;
import java.util.Locale;

/**
 * The markdown tables of a run: the columns of issue 8 (median of the repetitions with min-max) plus ratios to the
 * veth path of the same run, then CPU per test and the foreign CPU that shows how disturbed the run was.
 */
final class ReportTable {
    private ReportTable() {
    }

    static String results(List<PathResult> paths) {
        PathResult veth = paths.stream().filter(p -> p.id().equals("veth")).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        sb.append("| path | guest→host TCP Gbit/s | host→guest TCP Gbit/s (forward) | host→guest TCP Gbit/s (-R)"
                + " | RR round trips/s | RR p50 µs | RR p99 µs | RR stalls per rep | connect+close /s | conn stalls per rep"
                + " | conn errors per rep | UDP 500M received Mbit/s | UDP loss % | proxy peak RSS MiB"
                + " | forwarder peak RSS MiB | g2h / veth | h2g / veth | -R / veth | RR / veth | conn / veth |\n");
        sb.append("|---".repeat(20)).append("|\n");
        for (PathResult p : paths) {
            sb.append("| ").append(p.label());
            cell(sb, p.values(TestKind.TCP_G2H, "gbps"), 3);
            cell(sb, p.values(TestKind.TCP_H2G, "gbps"), 3);
            cell(sb, p.values(TestKind.TCP_REV, "gbps"), 3);
            cell(sb, p.values(TestKind.RR, "rtps"), 0);
            cell(sb, p.values(TestKind.RR, "p50"), 1);
            cell(sb, p.values(TestKind.RR, "p99"), 0);
            cell(sb, p.values(TestKind.RR, "stalls"), 0);
            cell(sb, p.values(TestKind.CRR, "connps"), 0);
            cell(sb, p.values(TestKind.CRR, "stalls"), 0);
            cell(sb, p.values(TestKind.CRR, "errors"), 0);
            cell(sb, p.values(TestKind.UDP, "mbps"), 1);
            cell(sb, p.values(TestKind.UDP, "loss"), 2);
            sb.append(" | ").append(mib(p.proxyPeakKib()));
            sb.append(" | ").append(mib(p.forwarderPeakKib()));
            ratio(sb, p, veth, TestKind.TCP_G2H, "gbps");
            ratio(sb, p, veth, TestKind.TCP_H2G, "gbps");
            ratio(sb, p, veth, TestKind.TCP_REV, "gbps");
            ratio(sb, p, veth, TestKind.RR, "rtps");
            ratio(sb, p, veth, TestKind.CRR, "connps");
            sb.append(" |\n");
        }
        return sb.toString();
    }

    static String cpu(List<PathResult> paths) {
        StringBuilder sb = new StringBuilder();
        sb.append("| path | proxy / forwarder CPU %, g2h | h2g | -R | UDP | RR | connect+close"
                + " | machine busy %, g2h (of " + Runtime.getRuntime().availableProcessors() * 100 + ")"
                + " | foreign CPU %, median (max) | repetitions repeated |\n");
        sb.append("|---".repeat(10)).append("|\n");
        for (PathResult p : paths) {
            sb.append("| ").append(p.label());
            for (TestKind t : TestKind.values()) {
                sb.append(" | ").append(pair(p.values(t, Measurement::proxyCpu), p.values(t,
                        Measurement::forwarderCpu)));
            }
            cell(sb, p.values(TestKind.TCP_G2H, Measurement::machineBusy), 0);
            double[] foreign = p.measurements().stream().filter(Measurement::ok)
                    .mapToDouble(Measurement::foreignCpu).sorted().toArray();
            sb.append(" | ").append(foreign.length == 0 ? "-"
                    : fmt(PathResult.median(foreign), 0) + " (" + fmt(foreign[foreign.length - 1], 0) + ")");
            sb.append(" | ").append(p.repeated()).append(" |\n");
        }
        return sb.toString();
    }

    private static String pair(double[] proxy, double[] forwarder) {
        if (proxy.length == 0 && forwarder.length == 0) {
            return "-";
        }
        return (proxy.length == 0 ? "-" : fmt(PathResult.median(proxy), 0)) + " / "
                + (forwarder.length == 0 ? "-" : fmt(PathResult.median(forwarder), 0));
    }

    private static void cell(StringBuilder sb, double[] sorted, int decimals) {
        sb.append(" | ");
        if (sorted.length == 0) {
            sb.append("-");
            return;
        }
        sb.append(fmt(PathResult.median(sorted), decimals));
        if (sorted.length > 1) {
            sb.append(" (").append(fmt(sorted[0], decimals)).append("-").append(fmt(sorted[sorted.length - 1],
                    decimals)).append(")");
        }
    }

    private static void ratio(StringBuilder sb, PathResult p, PathResult veth, TestKind test, String name) {
        sb.append(" | ");
        double base = veth == null ? Double.NaN : PathResult.median(veth.values(test, name));
        double v = PathResult.median(p.values(test, name));
        sb.append(Double.isNaN(base) || Double.isNaN(v) || base == 0 ? "-" : fmt(v / base, v / base < 0.1 ? 3 : 2));
    }

    static String fmt(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String mib(long kib) {
        return kib < 0 ? "-" : fmt(kib / 1024.0, 1);
    }
}
