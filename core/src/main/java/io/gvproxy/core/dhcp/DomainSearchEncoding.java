package io.gvproxy.core.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Option 119 data: the names in RFC 1035 form, later names pointing at suffixes already written (RFC 3397). */
public final class DomainSearchEncoding {
    private DomainSearchEncoding() {
    }

    /** Throws IllegalArgumentException for an empty label, a label over 63 bytes or a name over 255 bytes. */
    public static byte[] encode(List<String> domains) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Integer> suffixAt = new HashMap<>();
        for (String domain : domains) {
            String[] labels = labels(domain);
            for (int i = 0; i < labels.length; i++) {
                String suffix = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length))
                        .toLowerCase(Locale.ROOT);
                Integer at = suffixAt.get(suffix);
                if (at != null) {
                    out.write(0xC0 | (at >>> 8));
                    out.write(at & 0xFF);
                    labels = null;
                    break;
                }
                if (out.size() <= 0x3FFF) {
                    suffixAt.put(suffix, out.size());
                }
                byte[] b = labels[i].getBytes(StandardCharsets.US_ASCII);
                out.write(b.length);
                out.write(b, 0, b.length);
            }
            if (labels != null) {
                out.write(0);
            }
        }
        return out.toByteArray();
    }

    /** Splits and validates a domain; a trailing dot is allowed. */
    static String[] labels(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty()) {
            throw new IllegalArgumentException("empty domain name");
        }
        String[] labels = d.split("\\.", -1);
        int wire = 1;
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63 || !StandardCharsets.US_ASCII.newEncoder().canEncode(l)) {
                throw new IllegalArgumentException("invalid domain name: " + domain);
            }
            wire += 1 + l.length();
        }
        if (wire > 255) {
            throw new IllegalArgumentException("domain name longer than 255 bytes: " + domain);
        }
        return labels;
    }
}
