package io.gvproxy.core.dns;

/** A DNS message that cannot be read; checked so that no parse failure escapes unnoticed. */
public final class MalformedDnsException extends Exception {
    public MalformedDnsException(String message) {
        super(message, null, false, false);
    }
}
