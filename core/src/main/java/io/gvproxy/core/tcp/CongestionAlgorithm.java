package io.gvproxy.core.tcp;

/** Which congestion-avoidance algorithm a connection uses; loss recovery (NewReno or SACK) is separate. */
public enum CongestionAlgorithm {
    NEW_RENO, CUBIC;

    CongestionControl create(int smss, int initialWindowSegments) {
        return switch (this) {
            case NEW_RENO -> new NewRenoCongestionControl(smss, initialWindowSegments);
            case CUBIC -> new CubicCongestionControl(smss, initialWindowSegments);
        };
    }
}
