package io.gvproxy.core.tcp;

/** Why a connection ended abnormally; reported to the owner before the closed event. */
public enum TcpError {
    /** The peer answered our SYN with a reset. */
    CONNECTION_REFUSED,
    /** The peer reset an open connection. */
    CONNECTION_RESET,
    /** Retransmissions, SYN retries, zero-window probes or keepalive probes went unanswered. */
    TIMED_OUT,
    /** Data arrived after the application closed the connection (RFC 2525: answer with a reset). */
    DATA_AFTER_CLOSE
}
