/**
 * Outbound NAT: guest flows to addresses other than the gateway's own services become host sockets, as upstream's
 * forwarders do. {@link io.gvproxy.core.nat.TcpNat} is the TCP stack's {@code SynListener} (dial first, then
 * complete the guest's handshake; no thread per flow: the relay runs on the switch reader for guest bytes and on one
 * poller thread for host bytes, through native buffers lent only while bytes move), {@link io.gvproxy.core.nat.UdpNat} the UDP
 * dispatcher's fallback (one connected socket per guest 4-tuple). Both apply the {@link io.gvproxy.core.nat.NatTable}
 * and then the {@link io.gvproxy.core.nat.EgressPolicy} to the address the host would dial, and block
 * 169.254.0.0/16 unless EC2 metadata access is on; every refusal is counted under {@code nat.}.
 */
package io.gvproxy.core.nat;
