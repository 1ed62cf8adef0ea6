/**
 * The gateway's DNS service.
 *
 * <p>{@link io.gvproxy.core.dns.DnsServer#handle(java.lang.foreign.MemorySegment, DnsTransport, DnsResponder)}
 * takes one query (a UDP payload that reached the gateway's port 53, or one TCP message without its length
 * prefix) and hands the response to a {@link io.gvproxy.core.dns.DnsResponder}: at once for local zones and
 * errors, later on a virtual thread for forwarded queries. The gateway sends it from gateway:53 back to the
 * query's source address and port. For TCP streams, {@link io.gvproxy.core.dns.DnsStreamSession} does the
 * framing over any InputStream/OutputStream pair, and {@link io.gvproxy.core.dns.DnsTcpService} runs one on each
 * guest connection the gateway's TCP stack accepts on gateway:53. {@link io.gvproxy.core.dns.DnsUdpServer} and
 * {@link io.gvproxy.core.dns.DnsTcpServer} serve the same handler on host sockets.
 *
 * <p>Local zones live in a {@link io.gvproxy.core.dns.ZoneTable} that the API may change at runtime.
 */
package io.gvproxy.core.dns;
