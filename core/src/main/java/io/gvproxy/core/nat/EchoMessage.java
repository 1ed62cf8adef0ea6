package io.gvproxy.core.nat;

import java.lang.foreign.MemorySegment;

/**
 * What an {@link EchoSocket} received, in a buffer reused for every message of one flow: an echo reply (its data
 * after the ICMP header) or an ICMP error about one of our requests (its type and code, who reported it, and the
 * quoted original echo request from its ICMP type byte on, with the caller's identifier and a checksum to
 * match, as much of it as the reporter quoted).
 */
public final class EchoMessage {
    public enum Kind { REPLY, ERROR }

    private final MemorySegment buffer;
    private Kind kind = Kind.REPLY;
    private int source;
    private int identifier;
    private int sequence;
    private int errorType;
    private int errorCode;
    private int errorInfo;
    private int length;

    public EchoMessage(int capacity) {
        if (capacity < 8) {
            throw new IllegalArgumentException("capacity below an ICMP header: " + capacity);
        }
        this.buffer = MemorySegment.ofArray(new byte[capacity]);
    }

    /** The whole buffer: a socket writes the data or the quote here, then calls {@link #reply} or {@link #error}. */
    public MemorySegment buffer() {
        return buffer;
    }

    public int capacity() {
        return (int) buffer.byteSize();
    }

    /** Marks the buffer's first {@code dataLength} bytes as the data of an echo reply from {@code source}. */
    public void reply(int source, int identifier, int sequence, int dataLength) {
        checkLength(dataLength);
        this.kind = Kind.REPLY;
        this.source = source;
        this.identifier = identifier;
        this.sequence = sequence;
        this.length = dataLength;
    }

    /**
     * Marks the buffer's first {@code quoteLength} bytes as the quoted echo request of an ICMP error.
     *
     * @param reporter who sent the error (a router, or the destination itself)
     * @param info     the error's rest-of-header word (the next-hop MTU of "fragmentation needed"), else 0
     */
    public void error(int reporter, int type, int code, int info, int quoteLength) {
        checkLength(quoteLength);
        this.kind = Kind.ERROR;
        this.source = reporter;
        this.errorType = type;
        this.errorCode = code;
        this.errorInfo = info;
        this.length = quoteLength;
    }

    private void checkLength(int n) {
        if (n < 0 || n > buffer.byteSize()) {
            throw new IllegalArgumentException("length outside the buffer: " + n);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The replying address, or the error's reporter. */
    public int source() {
        return source;
    }

    /** Of a reply. */
    public int identifier() {
        return identifier;
    }

    /** Of a reply. */
    public int sequence() {
        return sequence;
    }

    public int errorType() {
        return errorType;
    }

    public int errorCode() {
        return errorCode;
    }

    public int errorInfo() {
        return errorInfo;
    }

    /** Reply data, or the error's quote. */
    public MemorySegment data() {
        return buffer.asSlice(0, length);
    }

    public int length() {
        return length;
    }
}
