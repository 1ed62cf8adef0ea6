package io.gvproxy.it;

/** One {@code RIG-RESULT <check> PASS|FAIL <detail>} line from a guest. */
record CheckResult(String check, boolean passed, String detail) {
    static final String PREFIX = "RIG-RESULT ";

    /** Parses the part of a console line from "RIG-RESULT" on; null if it is not a result line. */
    static CheckResult parse(String text) {
        if (!text.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = text.substring(PREFIX.length()).split(" ", 3);
        if (parts.length < 2 || !(parts[1].equals("PASS") || parts[1].equals("FAIL"))) {
            return null;
        }
        return new CheckResult(parts[0], parts[1].equals("PASS"), parts.length == 3 ? parts[2].strip() : "");
    }
}
