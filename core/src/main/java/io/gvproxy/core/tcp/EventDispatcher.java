package io.gvproxy.core.tcp;

/**
 * Collects what happened during one engine call and tells the owner at its end, once the connection's state is
 * consistent; a callback that calls back into the connection cannot observe a half-processed segment.
 */
final class EventDispatcher {
    private static final int CONNECTED = 1;
    private static final int READABLE = 2;
    private static final int WRITABLE = 4;
    private static final int PEER_FIN = 8;
    private static final int ERROR = 16;
    private static final int CLOSED = 32;
    private final TcpEvents events;
    private int pending;
    private TcpError error;
    private boolean dispatching;
    private boolean closedRaised;

    EventDispatcher(TcpEvents events) {
        this.events = events == null ? TcpEvents.NONE : events;
    }

    void connected() {
        pending |= CONNECTED;
    }

    void readable() {
        pending |= READABLE;
    }

    void writable() {
        pending |= WRITABLE;
    }

    void peerFin() {
        pending |= PEER_FIN;
    }

    void error(TcpError e) {
        error = e;
        pending |= ERROR;
    }

    /** Raises the closed event once in the connection's life. */
    void closed() {
        if (!closedRaised) {
            closedRaised = true;
            pending |= CLOSED;
        }
    }

    /** Delivers pending events; a nested call from inside a callback leaves them to the outer loop. */
    void dispatch() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            while (pending != 0) {
                int ev = pending;
                pending = 0;
                if ((ev & CONNECTED) != 0) {
                    events.onConnected();
                }
                if ((ev & READABLE) != 0) {
                    events.onReadable();
                }
                if ((ev & PEER_FIN) != 0) {
                    events.onPeerFin();
                }
                if ((ev & WRITABLE) != 0) {
                    events.onWritable();
                }
                if ((ev & ERROR) != 0) {
                    events.onError(error);
                }
                if ((ev & CLOSED) != 0) {
                    events.onClosed();
                }
            }
        } finally {
            dispatching = false;
        }
    }
}
