/**
 * TCP/IPv4 around the I/O-free engine of {@code io.gvproxy.core.tcp}: the {@link io.gvproxy.core.tcpip.TcpStack}
 * (connection table, demultiplexing, SYN offers to a {@link io.gvproxy.core.tcpip.SynListener}, active opens
 * towards guests, one timer thread), the blocking {@link io.gvproxy.core.tcpip.TcpStream} facade, the wire
 * adapters ({@code WireSegments} in, {@code SegmentFrameWriter} out) and path-MTU handling.
 *
 * <p><b>IPv4 fragments are dropped and counted, not reassembled</b> ({@code gateway.ipv4.fragments}). Every
 * segment the stack sends has DF set and fits the link MTU (MSS = MTU - 40), and guests' TCP does the same
 * (Linux sets DF on TCP and clamps to the peer's MSS), so TCP never produces fragments here; reassembly would
 * only add a memory-bounded, timer-driven buffer that attackers can fill. When a guest reports a smaller path
 * with ICMP "fragmentation needed", the connection's MSS is lowered instead.
 *
 * <p>Checksums: received TCP checksums are verified unless {@link io.gvproxy.core.tcpip.TcpStackConfig}
 * turns it off for trusted links (a failure is counted in {@code tcp.stack.bad_checksum} and dropped);
 * outgoing IPv4 and TCP checksums are always computed.
 */
package io.gvproxy.core.tcpip;
