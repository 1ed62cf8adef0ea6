package io.gvproxy.jmh.harness;

/** The tests of one path, in the order they run (connect+close last: a proxy that stalls under churn stalls last). */
enum TestKind {
    TCP_G2H("guest→host TCP", 10, 2),
    TCP_H2G("host→guest TCP (forward)", 10, 2),
    TCP_REV("host→guest TCP (-R)", 4, 1),
    UDP("UDP 500 Mbit/s", 3, 1),
    RR("request/response", 3, 1),
    CRR("connect+close", 3, 1);

    private final String label;
    private final int fullSeconds;
    private final int smokeSeconds;

    TestKind(String label, int fullSeconds, int smokeSeconds) {
        this.label = label;
        this.fullSeconds = fullSeconds;
        this.smokeSeconds = smokeSeconds;
    }

    String label() {
        return label;
    }

    int seconds(boolean smoke) {
        return smoke ? smokeSeconds : fullSeconds;
    }
}
