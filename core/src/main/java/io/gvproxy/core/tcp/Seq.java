package io.gvproxy.core.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4): two numbers compare by the sign of their
 * 32-bit difference, which is meaningful while they are less than 2^31 apart.
 */
public final class Seq {
    private Seq() {
    }

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean geq(int a, int b) {
        return a - b >= 0;
    }

    /** The signed distance from b to a. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /** Whether start <= s < start + size. */
    public static boolean inWindow(int s, int start, int size) {
        return Integer.compareUnsigned(s - start, size) < 0;
    }

    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * Widens a 32-bit sequence number to a 64-bit position next to a known reference: {@code refPos} is the
     * position whose low 32 bits (after adding {@code base}) are {@code refSeq}. The engine keeps all its
     * positions as longs counted from the initial sequence number, so comparisons never wrap.
     */
    public static long widen(int seq, long refPos, int refSeq) {
        return refPos + (seq - refSeq);
    }
}
