package io.gvproxy.core.tcp;

/**
 * What a connection tells its owner. Callbacks run synchronously inside the engine call that caused them; they
 * may call back into the connection only through {@code read}/{@code write}.
 */
public interface TcpEvents {
    /** The three-way handshake completed. */
    default void onConnected() {
    }

    /** New in-order bytes are readable. */
    default void onReadable() {
    }

    /** Send-buffer space became free after a {@code write} had accepted less than offered. */
    default void onWritable() {
    }

    /** The peer's FIN arrived in order: after the buffered bytes, {@code read} reports end of stream. */
    default void onPeerFin() {
    }

    /** The connection failed; {@link #onClosed()} follows. */
    default void onError(TcpError error) {
    }

    /**
     * The connection reached CLOSED and will emit nothing more. Called exactly once. Bytes received before a
     * clean close stay readable: drain them before forgetting the connection.
     */
    default void onClosed() {
    }

    TcpEvents NONE = new TcpEvents() {
    };
}
