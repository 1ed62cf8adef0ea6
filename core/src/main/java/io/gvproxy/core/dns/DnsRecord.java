package io.gvproxy.core.dns;

/**
 * One resource record as read; {@code rdataOffset}/{@code rdataLength} locate its data and
 * {@code start}/{@code end} its whole wire form in the message it was read from (names inside the data are
 * left compressed, which is why the record is not copied out).
 */
public record DnsRecord(String name, int type, int klass, long ttl, int rdataOffset, int rdataLength,
                        int start, int end) {
}
