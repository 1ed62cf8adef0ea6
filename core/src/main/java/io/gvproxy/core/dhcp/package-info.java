/**
 * The gateway's DHCPv4 service.
 *
 * <p>The gateway passes every UDP payload that reached port 67 to
 * {@link io.gvproxy.core.dhcp.DhcpServer#handle(java.lang.foreign.MemorySegment, long)} with the current time
 * in milliseconds, and sends the returned {@link io.gvproxy.core.dhcp.DhcpReply} from gateway:67 to the
 * address, port and Ethernet destination it names. Nothing here uses threads, sockets or a clock.
 */
package io.gvproxy.core.dhcp;
