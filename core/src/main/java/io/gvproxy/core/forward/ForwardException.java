package io.gvproxy.core.forward;

/** An expose or unexpose that failed; the message is the text upstream's API answers with. */
public final class ForwardException extends Exception {
    public ForwardException(String message) {
        super(message, null, false, false);
    }
}
