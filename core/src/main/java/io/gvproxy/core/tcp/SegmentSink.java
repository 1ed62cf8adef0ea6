package io.gvproxy.core.tcp;

/**
 * Where a connection's outgoing segments go. The segment and its payload view are lent for the duration of the
 * call: the engine reuses the object, so a sink that queues must copy what it needs.
 */
@FunctionalInterface
public interface SegmentSink {
    void transmit(TcpSegment segment);
}
