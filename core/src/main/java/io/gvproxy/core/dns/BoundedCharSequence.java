package io.gvproxy.core.dns;

/**
 * A string that stops answering after a fixed number of character reads. Zone regexps come from the API and
 * java.util.regex backtracks (upstream's RE2 does not), so a pathological pattern must not be able to hold the
 * thread that resolves names: the matcher gives up with {@link BudgetExceeded} instead.
 */
final class BoundedCharSequence implements CharSequence {
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super("regexp match budget exceeded", null, false, false);
        }
    }

    private final String s;
    private final int from;
    private final int to;
    private final long[] budget;

    BoundedCharSequence(String s, long budget) {
        this(s, 0, s.length(), new long[] {budget});
    }

    private BoundedCharSequence(String s, int from, int to, long[] budget) {
        this.s = s;
        this.from = from;
        this.to = to;
        this.budget = budget;
    }

    @Override
    public int length() {
        return to - from;
    }

    @Override
    public char charAt(int index) {
        if (--budget[0] < 0) {
            throw new BudgetExceeded();
        }
        return s.charAt(from + index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedCharSequence(s, from + start, from + end, budget);
    }

    @Override
    public String toString() {
        return s.substring(from, to);
    }
}
