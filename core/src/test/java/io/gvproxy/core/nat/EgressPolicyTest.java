package io.gvproxy.core.nat;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EgressPolicyTest {
    private static int ip(String s) {
        return Ipv4.parse(s);
    }

    @Test
    void noRulesAllowsEverythingAsUpstream() {
        assertTrue(EgressPolicy.allowAll().allows(ip("8.8.8.8")));
        assertTrue(EgressPolicy.of(List.of(), List.of()).allows(ip("8.8.8.8")));
    }

    @Test
    void allowListDeniesTheRestAndDenyWinsInsideIt() {
        EgressPolicy p = EgressPolicy.of(List.of(Ipv4Subnet.parse("127.0.0.0/8")),
                List.of(Ipv4Subnet.parse("127.0.0.2/32")));
        assertTrue(p.allows(ip("127.0.0.1")));
        assertFalse(p.allows(ip("127.0.0.2")));
        assertFalse(p.allows(ip("10.200.0.1")));
    }

    @Test
    void denyOnlyAllowsTheRest() {
        EgressPolicy p = EgressPolicy.of(List.of(), List.of(Ipv4Subnet.parse("10.0.0.0/8")));
        assertFalse(p.allows(ip("10.1.2.3")));
        assertTrue(p.allows(ip("127.0.0.1")));
    }

    @Test
    void routeAppliesNatBeforeThePolicyAndBlocksLinkLocal() {
        int host = ip("192.168.127.254");
        NatConfig c = NatConfig.defaults(host).withPolicy(EgressPolicy.of(List.of(Ipv4Subnet.parse("127.0.0.0/8")),
                List.of()));
        assertEquals(ip("127.0.0.1") & 0xFFFFFFFFL, c.route(host));
        assertEquals(Outbound.DENIED, c.route(ip("192.168.127.253")));
        assertEquals(Outbound.BLOCKED_LINK_LOCAL, c.route(ip("169.254.169.254")));
        NatConfig open = NatConfig.defaults(host).withEc2MetadataAccess(true);
        assertEquals(ip("169.254.169.254") & 0xFFFFFFFFL, open.route(ip("169.254.169.254")));
    }

    @Test
    void natTableRewritesExactAddressesOnly() {
        NatTable t = NatTable.hostLoopback(ip("192.168.127.254"));
        assertEquals(ip("127.0.0.1"), t.translate(ip("192.168.127.254")));
        assertEquals(ip("192.168.127.253"), t.translate(ip("192.168.127.253")));
    }
}
