/**
 * UDP at the gateway.
 *
 * <p>{@link io.gvproxy.core.udp.UdpDispatcher} is the gateway's {@link io.gvproxy.core.gateway.Ipv4Handler} for
 * IP protocol 17: it validates each datagram (length, checksum; every drop counted under {@code udp.}) and hands
 * it to the {@link io.gvproxy.core.udp.UdpService} bound to its destination: a port on the gateway IP (DNS on
 * 53, DHCP on 67), a port reached by broadcast (DHCP on 67), or the fallback for every other destination (the
 * NAT, later). {@link io.gvproxy.core.udp.UdpSender} builds Ethernet+IPv4+UDP reply frames from the gateway's
 * frame pool and may be called from any thread. {@link io.gvproxy.core.udp.DhcpUdpService} and
 * {@link io.gvproxy.core.udp.DnsUdpService} adapt the pure DHCP and DNS servers to it.
 */
package io.gvproxy.core.udp;
