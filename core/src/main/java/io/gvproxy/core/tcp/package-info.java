/**
 * A userspace TCP engine, free of I/O, threads and clocks, in the spirit of gVisor's tcp package: the NAT
 * terminates guest connections here and port forwards open connections towards the guest.
 *
 * <p>The owner creates a {@link io.gvproxy.core.tcp.TcpConnection} per 4-tuple with an ISN from
 * {@link io.gvproxy.core.tcp.IsnGenerator}, feeds it parsed {@link io.gvproxy.core.tcp.TcpSegment}s and its own
 * time, calls {@code onTimer} when {@code nextTimerDeadline()} passes, and serialises the segments it receives
 * through its {@link io.gvproxy.core.tcp.SegmentSink}. One file per concern: {@code SegmentArrival} (RFC 9293
 * segment processing, PAWS with Linux's one-tick and reordered-duplicate-ACK tolerance), {@code TcpSender} (send
 * side, tail loss probe), {@code LossRecovery} (fast retransmit, NewReno or RFC 6675 SACK recovery, lost
 * retransmission detection), {@code TcpReceiver} (receive side, ACK policy, SACK blocks), {@code SackScoreboard},
 * {@code CongestionControl} with {@code NewRenoCongestionControl} and {@code CubicCongestionControl},
 * {@code RttEstimator}, {@code TcpTimers}, {@code SegmentEmitter}, and the buffers ({@code SendBuffer},
 * {@code ReceiveBuffer}, {@code OutOfOrderRanges}, {@code ByteRing}).
 */
package io.gvproxy.core.tcp;
