package io.gvproxy.cli;

import io.gvproxy.core.NetworkConfig;
import io.gvproxy.core.dns.ResolvConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -dns-server and -dns-search: parsing, validation, and how they replace the host's resolv.conf. */
class DnsFlagsTest {
    private static final ResolvConf HOST = ResolvConf.parse("nameserver 10.9.8.7\nsearch corp.example lab.example\n");

    private static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    @Test
    void serverAddressesWithAndWithoutPort() throws FlagException {
        GvproxyOptions o = Options.of("-dns-server", "127.0.0.1:5353", "-dns-server", "10.0.0.1",
                "-dns-server", "[::1]:53", "-dns-server", "fe80::1");
        assertEquals(List.of(at("127.0.0.1", 5353), at("10.0.0.1", 53), at("::1", 53), at("fe80::1", 53)),
                o.dnsServers());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]x", "", "1.2.3"})
    void badServerAddressesAreRejectedWithTheFlagName(String value) {
        FlagException e = assertThrows(FlagException.class, () -> Options.of("-dns-server", value));
        assertTrue(e.getMessage().contains("-dns-server"), e.getMessage());
    }

    @Test
    void searchDomainsAreValidated() throws FlagException {
        assertEquals(List.of("containers.internal", "example.test."),
                Options.of("-dns-search", "containers.internal", "-dns-search", "example.test.").dnsSearchDomains());
        FlagException e = assertThrows(FlagException.class, () -> Options.of("-dns-search", "a..b"));
        assertTrue(e.getMessage().contains("-dns-search"), e.getMessage());
    }

    @Test
    void withoutFlagsTheHostResolvConfDecides() throws FlagException {
        NetworkConfig c = NetworkStackHandler.networkConfig(Options.of(), HOST);
        assertEquals(List.of(at("10.9.8.7", 53)), c.dnsNameservers());
        assertEquals(List.of("corp.example", "lab.example"), c.dnsSearchDomains());
        assertEquals(List.of("corp.example", "lab.example"), c.dhcpConfig().searchDomains());
    }

    @Test
    void flagsReplaceTheHostResolvConf() throws FlagException {
        NetworkConfig c = NetworkStackHandler.networkConfig(
                Options.of("-dns-server", "127.0.0.1:5353", "-dns-search", "containers.internal"), HOST);
        assertEquals(List.of(at("127.0.0.1", 5353)), c.dnsNameservers());
        assertEquals(List.of("containers.internal"), c.dnsSearchDomains());
    }

    @Test
    void emptySearchValueSendsNoSearchDomains() throws FlagException {
        NetworkConfig c = NetworkStackHandler.networkConfig(Options.of("-dns-search", ""), HOST);
        assertEquals(List.of(), c.dnsSearchDomains());
        assertEquals(List.of(at("10.9.8.7", 53)), c.dnsNameservers());
    }

    @Test
    void upstreamDefaultsForZonesStaticLeaseAndMtu() throws FlagException {
        NetworkConfig c = NetworkStackHandler.networkConfig(Options.of("-mtu", "4000"), HOST);
        assertEquals(4000, c.dhcpConfig().mtu());
        assertEquals(List.of("containers.internal.", "docker.internal."),
                c.dnsZones().stream().map(z -> z.name()).toList());
        assertEquals("5a:94:ef:e4:0c:ee", c.dhcpStaticLeases().get(c.deviceIp()).toString());
    }
}
