package io.gvproxy.core.dns;

/** One question; {@code start}/{@code end} delimit its bytes in the message it was read from. */
public record DnsQuestion(String name, int type, int klass, int start, int end) {
}
