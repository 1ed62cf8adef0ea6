package io.gvproxy.jmh.harness;

/**
 * CPU used over an interval, from /proc: the proxy's and the forwarder's processes (their children included once
 * reaped), the whole machine (busy ticks of all CPUs), and this run's own process tree; foreign = machine − own,
 * the load of processes this run did not start, which makes a disturbed repetition visible.
 */
final class CpuMeter {
    /** Ticks at one moment; the pids are the path's proxy and forwarder (-1: none). */
    record Sample(long nanos, long proxy, long forwarder, long own, ProcFs.MachineTicks machine) {
        static Sample take(long proxyPid, long forwarderPid) {
            return new Sample(System.nanoTime(), proxyPid < 0 ? 0 : ProcFs.cpuTicks(proxyPid),
                    forwarderPid < 0 ? 0 : ProcFs.cpuTicks(forwarderPid), ProcFs.ownTreeTicks(), ProcFs.machineTicks());
        }
    }

    /** CPU over [from, to] in % of one core (the machine has nproc × 100 %). */
    record Usage(double proxy, double forwarder, double machine, double foreign) {
        static Usage between(Sample from, Sample to, boolean hasProxy, boolean hasForwarder) {
            double ticks = (to.nanos() - from.nanos()) / 1e9 * ProcFs.TICKS_PER_SECOND;
            // The machine's own total is the denominator of its share, so a delay while sampling cannot inflate it.
            long total = to.machine().total() - from.machine().total();
            double machine = total <= 0 ? Double.NaN : 100.0 * Runtime.getRuntime().availableProcessors()
                    * (to.machine().busy() - from.machine().busy()) / total;
            double own = (to.own() - from.own()) / ticks * 100;
            return new Usage(hasProxy ? percent(from.proxy(), to.proxy(), ticks) : Double.NaN,
                    hasForwarder ? percent(from.forwarder(), to.forwarder(), ticks) : Double.NaN, machine,
                    Math.max(0, machine - own));
        }

        private static double percent(long from, long to, double ticks) {
            return from < 0 || to < 0 ? Double.NaN : (to - from) / ticks * 100;
        }
    }

    private CpuMeter() {
    }
}
