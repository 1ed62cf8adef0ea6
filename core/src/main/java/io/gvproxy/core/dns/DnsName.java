package io.gvproxy.core.dns;

import java.io.ByteArrayOutputStream;

/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4) and in presentation form: labels joined by dots with a
 * trailing dot ("." for the root); a dot or backslash inside a label is escaped with a backslash and bytes
 * outside printable ASCII as \DDD, as miekg/dns writes them, so the string is always ASCII.
 */
public final class DnsName {
    private static final int MAX_POINTERS = 127;

    private DnsName() {
    }

    /** A name read at a position, and where the bytes that follow it start. */
    public record Read(String name, int end) {
    }

    /**
     * Reads the name at {@code at}. Each compression pointer must point strictly before the previous one (and
     * the first before itself), so forward pointers and loops are rejected; so are pointers and labels past the
     * end, the reserved label types 01/10 (which is how a length above 63 would look), and names over 255 bytes.
     */
    public static Read read(byte[] msg, int at) throws MalformedDnsException {
        return read(msg, at, 0);
    }

    /**
     * As {@link #read(byte[], int)}, also rejecting pointers below {@code minPointer}: in a message, names never
     * live in the header, and a question name pointing there would decode differently once echoed under a
     * response header.
     */
    public static Read read(byte[] msg, int at, int minPointer) throws MalformedDnsException {
        StringBuilder sb = new StringBuilder();
        int pos = at;
        int end = -1;
        int limit = at;
        int wire = 1;
        int pointers = 0;
        while (true) {
            if (pos >= msg.length) {
                throw new MalformedDnsException("name runs past the end");
            }
            int len = msg[pos] & 0xFF;
            if ((len & 0xC0) == 0xC0) {
                if (pos + 1 >= msg.length) {
                    throw new MalformedDnsException("truncated compression pointer");
                }
                int target = ((len & 0x3F) << 8) | (msg[pos + 1] & 0xFF);
                if (target >= limit || target < minPointer || ++pointers > MAX_POINTERS) {
                    throw new MalformedDnsException("compression pointer not backwards");
                }
                if (end < 0) {
                    end = pos + 2;
                }
                limit = target;
                pos = target;
                continue;
            }
            if ((len & 0xC0) != 0) {
                throw new MalformedDnsException("reserved label type or label longer than 63");
            }
            if (len == 0) {
                if (end < 0) {
                    end = pos + 1;
                }
                break;
            }
            wire += len + 1;
            if (wire > DnsWire.MAX_NAME_LENGTH) {
                throw new MalformedDnsException("name longer than 255 bytes");
            }
            if (pos + 1 + len > msg.length) {
                throw new MalformedDnsException("label runs past the end");
            }
            appendLabel(sb, msg, pos + 1, len);
            sb.append('.');
            pos += 1 + len;
        }
        return new Read(sb.isEmpty() ? "." : sb.toString(), end);
    }

    private static void appendLabel(StringBuilder sb, byte[] msg, int from, int len) {
        for (int i = from; i < from + len; i++) {
            int c = msg[i] & 0xFF;
            if (c == '.' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c < 0x21 || c > 0x7E) {
                sb.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                        .append((char) ('0' + c % 10));
            } else {
                sb.append((char) c);
            }
        }
    }

    /** Wire form of a presentation-form name (escapes understood), uncompressed. */
    public static byte[] encode(String name) {
        if (name.equals(".")) {
            return new byte[1];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream label = new ByteArrayOutputStream();
        int n = name.length();
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char d = name.charAt(i + 1);
                if (Character.isDigit(d) && i + 3 < n) {
                    int v = Integer.parseInt(name.substring(i + 1, i + 4));
                    if (v > 255) {
                        throw new IllegalArgumentException("escape above \\255 in " + name);
                    }
                    label.write(v);
                    i += 3;
                } else {
                    label.write(d);
                    i++;
                }
            } else if (c == '.') {
                flushLabel(out, label, name);
            } else {
                label.write(c);
            }
        }
        if (label.size() > 0) {
            flushLabel(out, label, name);
        }
        out.write(0);
        if (out.size() > DnsWire.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name longer than 255 bytes: " + name);
        }
        return out.toByteArray();
    }

    private static void flushLabel(ByteArrayOutputStream out, ByteArrayOutputStream label, String name) {
        if (label.size() == 0 || label.size() > DnsWire.MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("empty label or label over 63 bytes: " + name);
        }
        out.write(label.size());
        out.writeBytes(label.toByteArray());
        label.reset();
    }

    /** Adds the trailing dot a fully qualified name needs. */
    public static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }
}
