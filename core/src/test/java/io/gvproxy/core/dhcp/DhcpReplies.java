package io.gvproxy.core.dhcp;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads replies back in tests. */
final class DhcpReplies {
    private DhcpReplies() {
    }

    static DhcpMessage parse(DhcpReply r) {
        var m = DhcpMessage.parse(r.payload());
        assertTrue(m.isPresent(), "reply does not parse");
        return m.get();
    }

    /** Option codes in wire order, up to END. */
    static List<Integer> codes(DhcpReply r) {
        byte[] b = r.payload().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        List<Integer> out = new ArrayList<>();
        for (int i = DhcpMessage.OPTIONS_OFFSET; i < b.length && (b[i] & 0xFF) != DhcpOptions.END; ) {
            int code = b[i] & 0xFF;
            if (code == DhcpOptions.PAD) {
                i++;
                continue;
            }
            out.add(code);
            i += 2 + (b[i + 1] & 0xFF);
        }
        return out;
    }

    static int u32(byte[] v) {
        return ((v[0] & 0xFF) << 24) | ((v[1] & 0xFF) << 16) | ((v[2] & 0xFF) << 8) | (v[3] & 0xFF);
    }
}
