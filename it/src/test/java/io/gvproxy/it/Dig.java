package io.gvproxy.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dig (Debian bind9-dnsutils): the command line for one question and the parts of its output the DNS tests
 * compare, the response code and the answer records. Flags, ids, timings and EDNS details are left out
 * because they legitimately differ between gvproxy and the server it forwards to.
 */
final class Dig {
    private static final Pattern STATUS = Pattern.compile("->>HEADER<<- opcode: \\w+, status: (\\w+),");

    /** What one dig printed: the rcode name (NOERROR, NXDOMAIN, ...) and each answer record, blanks collapsed. */
    record Answer(String status, List<String> records) {
        @Override
        public String toString() {
            return status + " " + records;
        }
    }

    private Dig() {
    }

    /**
     * {@code dig @server -p port [+tcp] +tries=1 +timeout=3 +noall +comments +answer [options] name type}: one
     * try (a lost answer is a failure, not a retry), recursion desired as a stub resolver asks.
     */
    static List<String> command(String server, int port, boolean tcp, String name, String type, String... options) {
        List<String> command = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port)));
        if (tcp) {
            command.add("+tcp");
        }
        command.addAll(List.of("+tries=1", "+timeout=3", "+noall", "+comments", "+answer"));
        command.addAll(List.of(options));
        command.addAll(List.of(name, type));
        return command;
    }

    /** The answer in dig's output; throws when dig printed no header (no response, say), with the output. */
    static Answer parse(String output) {
        Matcher m = STATUS.matcher(output);
        if (!m.find()) {
            throw new AssertionError("dig printed no response header:\n" + output);
        }
        List<String> records = output.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith(";"))
                .map(l -> String.join(" ", l.split("\\s+")))
                .toList();
        return new Answer(m.group(1), records);
    }
}
