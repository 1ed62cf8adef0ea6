package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.dns.ResolvConf;
import io.gvproxy.core.forward.PortForwarder;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -config: upstream's schema and config mode (upstream-inventory §1.2–1.4), checked against the flags. */
class ConfigModeTest {
    private static final ResolvConf NO_HOST_DNS = ResolvConf.parse("");

    @TempDir
    Path dir;

    static Path upstreamExample() throws URISyntaxException {
        return Path.of(ConfigModeTest.class.getResource("/config/upstream-config.yaml").toURI());
    }

    private static GvproxyOptions options(String... args) throws FlagException {
        List<String> cl = new ArrayList<>(List.of("gvproxy"));
        cl.addAll(List.of(args));
        return GvproxyOptionsValidator.validate(GvproxyFlags.define().parse(List.of(args)), cl);
    }

    private GvproxyOptions withFile(String yaml, String... args) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
        List<String> all = new ArrayList<>(List.of("-config", file.toString()));
        all.addAll(List.of(args));
        return options(all.toArray(String[]::new));
    }

    /** Upstream ships config.yaml as the default mode written out: both must give the same gvproxy. */
    @Test
    void upstreamExampleEqualsTheDefaultMode() throws Exception {
        GvproxyOptions file = options("-config", upstreamExample().toString());
        GvproxyOptions flags = options();
        assertEquals(NetworkStackHandler.networkConfig(flags, NO_HOST_DNS),
                NetworkStackHandler.networkConfig(file, NO_HOST_DNS));
        assertEquals(flags.stack().forwards(), file.stack().forwards());
        assertEquals(List.of(new PortForwarder.Forward("127.0.0.1:2222", "192.168.127.2:22", "tcp")),
                file.stack().forwards());
        assertEquals(flags.stack().vpnkitMacs(), file.stack().vpnkitMacs());
        assertEquals(flags.stack().gatewayMac(), file.stack().gatewayMac());
        assertEquals(flags.stack().dnsZones(), file.stack().dnsZones());
        assertEquals(flags.stack().dhcpStaticLeases(), file.stack().dhcpStaticLeases());
        assertEquals(flags.nat().table().entries(), file.nat().table().entries());
        assertEquals(flags.nat().toString(), file.nat().toString());
        assertEquals(flags.mtu(), file.mtu());
        assertEquals(flags.logLevel(), file.logLevel());
        assertEquals(flags.debug(), file.debug());
        assertEquals(flags.pcapFile(), file.pcapFile());
        assertEquals(List.of(), file.warnings());
        // The one difference: default mode reads search domains from the host, the file says none.
        assertEquals(Optional.empty(), flags.stack().dnsSearchDomains());
        assertEquals(Optional.of(List.of()), file.stack().dnsSearchDomains());
    }

    @Test
    void flagsOverTheUpstreamExampleMatchTheSameFlagsAlone() throws Exception {
        String[] shared = {"-listen", "unix:///tmp/network.sock", "-listen-qemu", "unix:///tmp/qemu.sock", "-mtu",
                "1500", "-pid-file", "/tmp/g.pid", "-services", "tcp://127.0.0.1:8081"};
        List<String> withConfig = new ArrayList<>(List.of("-config", upstreamExample().toString()));
        withConfig.addAll(List.of(shared));
        GvproxyOptions file = options(withConfig.toArray(String[]::new));
        GvproxyOptions flags = options(shared);
        assertEquals(flags.listen(), file.listen());
        assertEquals(flags.qemu(), file.qemu());
        assertEquals(flags.pidFile(), file.pidFile());
        assertEquals(flags.services(), file.services());
        assertEquals(NetworkStackHandler.networkConfig(flags, NO_HOST_DNS),
                NetworkStackHandler.networkConfig(file, NO_HOST_DNS));
    }

    /** upstream's test case "config: empty config": only mtu, subnet, IPs, gateway MAC, NAT, virtual IPs. */
    @Test
    void emptyFileKeepsOnlyTheConfigModeDefaults() throws Exception {
        GvproxyOptions o = withFile("");
        int host = Ipv4.parse("192.168.127.254");
        assertEquals(1500, o.mtu());
        assertEquals("192.168.127.0/24", o.subnet().toString());
        assertEquals(Ipv4.parse("192.168.127.1"), o.gatewayIp());
        assertEquals(host, o.hostIp());
        assertEquals(MacAddress.parse("5a:94:ef:e4:0c:dd"), o.stack().gatewayMac());
        assertEquals(Map.of(host, Ipv4.parse("127.0.0.1")), o.nat().table().entries());
        assertEquals(List.of(host), o.stack().gatewayVirtualIps());
        assertEquals(List.of(), o.stack().dnsZones());
        assertEquals(Map.of(), o.stack().dhcpStaticLeases());
        assertEquals(Map.of(), o.stack().vpnkitMacs());
        assertEquals(List.of(), o.stack().forwards());
        assertEquals(LogrusLogger.Level.INFO, o.logLevel());
        assertFalse(o.debug());
    }

    @Test
    void listenLogLevelAndInterfacesFromTheFile() throws Exception {
        GvproxyOptions o = withFile("""
                listen:
                    - unix:///var/run/gvproxy/domain-2.sock
                log-level: warning
                interfaces:
                    qemu: unix:///tmp/qemu.sock
                    vfkit: unixgram:///tmp/vfkit.sock
                pid-file: /tmp/g.pid
                notification: /tmp/n.sock
                """);
        assertEquals(List.of(ListenUrl.parse("unix:///var/run/gvproxy/domain-2.sock")), o.listen());
        assertEquals(LogrusLogger.Level.WARNING, o.logLevel());
        assertEquals(Optional.of(ListenUrl.parse("unix:///tmp/qemu.sock")), o.qemu());
        assertEquals(Optional.of(ListenUrl.parse("unixgram:///tmp/vfkit.sock")), o.vfkit());
        assertEquals(Optional.of(Path.of("/tmp/g.pid")), o.pidFile());
        assertEquals(Optional.of(ListenUrl.parse("unix:///tmp/n.sock")), o.notification());
    }

    @Test
    void listenFlagsOverrideTheFile() throws Exception {
        GvproxyOptions o = withFile("""
                listen: [unix:///a.sock]
                interfaces: {qemu: unix:///tmp/qemu.sock}
                pid-file: /tmp/file.pid
                """, "-listen", "unix:///b.sock", "-listen-qemu", "tcp://127.0.0.1:1234", "-pid-file", "/tmp/f.pid");
        assertEquals(List.of(ListenUrl.parse("unix:///b.sock")), o.listen());
        assertEquals(Optional.of(ListenUrl.parse("tcp://127.0.0.1:1234")), o.qemu());
        assertEquals(Optional.of(Path.of("/tmp/f.pid")), o.pidFile());
    }

    /** upstream's "auto addresses from subnet". */
    @Test
    void addressesFollowTheFilesSubnet() throws Exception {
        GvproxyOptions o = withFile("""
                stack:
                    mtu: 1480
                    subnet: 10.0.0.0/16
                    gatewayMacAddress: 10:11:11:11:11:00
                """);
        assertEquals(1480, o.mtu());
        assertEquals(Ipv4.parse("10.0.0.1"), o.gatewayIp());
        assertEquals(Ipv4.parse("10.0.0.2"), o.deviceIp());
        int host = Ipv4.parse("10.0.255.254");
        assertEquals(host, o.hostIp());
        assertEquals(MacAddress.parse("10:11:11:11:11:00"), o.stack().gatewayMac());
        assertEquals(Map.of(host, Ipv4.parse("127.0.0.1")), o.nat().table().entries());
        assertEquals(List.of(host), o.stack().gatewayVirtualIps());
    }

    @Test
    void addressFlagsFillOnlyWhatTheFileLeavesEmpty() throws Exception {
        GvproxyOptions o = withFile("stack:\n    subnet: 10.0.0.0/16\n    gatewayIP: 10.0.0.9\n",
                "-subnet", "172.16.0.0/24", "-gatewayIP", "172.16.0.1", "-deviceIP", "10.0.0.3", "-mtu", "9000");
        assertEquals("10.0.0.0/16", o.subnet().toString());
        assertEquals(Ipv4.parse("10.0.0.9"), o.gatewayIp());
        assertEquals(Ipv4.parse("10.0.0.3"), o.deviceIp());
        assertEquals(9000, o.mtu());
        assertEquals(1400, withFile("stack:\n    mtu: 1400\n", "-mtu", "9000").mtu());
    }

    @Test
    void staticLeasesForwardsZonesAndUuids() throws Exception {
        GvproxyOptions o = withFile("""
                stack:
                    subnet: 10.0.0.0/16
                    dhcpStaticLeases:
                        10.0.0.2: "10:11:11:11:11:02"
                        10.0.0.100: 10:11:11:11:11:dd
                    forwards:
                        127.0.0.1:59022: 192.168.127.2:22
                        udp:127.0.0.1:5353: 10.0.0.2:53
                    dns:
                        - name: example.internal
                          records:
                            - name: a
                              ip: 10.0.0.2
                            - regexp: ^crc-.*$
                              ip: 10.0.0.3
                          defaultIP: 10.0.0.4
                    dnsSearchDomains: [example.internal]
                    vpnKitUUIDMacAddresses:
                        c3d68012-0208-11ea-9fd7-f2189899ab08: 5a:94:ef:e4:0c:ef
                    gatewayVirtualIPs: [10.0.0.250, 10.0.0.251]
                    nat:
                        10.0.0.250: 127.0.0.1
                """);
        assertEquals(Map.of(Ipv4.parse("10.0.0.2"), MacAddress.parse("10:11:11:11:11:02"),
                Ipv4.parse("10.0.0.100"), MacAddress.parse("10:11:11:11:11:dd")), o.stack().dhcpStaticLeases());
        assertEquals(List.of(new PortForwarder.Forward("127.0.0.1:59022", "192.168.127.2:22", "tcp"),
                new PortForwarder.Forward("127.0.0.1:5353", "10.0.0.2:53", "udp")), o.stack().forwards());
        assertEquals(1, o.stack().dnsZones().size());
        assertEquals("example.internal.", o.stack().dnsZones().getFirst().name());
        assertEquals(2, o.stack().dnsZones().getFirst().records().size());
        assertEquals(Optional.of(List.of("example.internal")), o.stack().dnsSearchDomains());
        assertEquals(Map.of("c3d68012-0208-11ea-9fd7-f2189899ab08", MacAddress.parse("5a:94:ef:e4:0c:ef")),
                o.stack().vpnkitMacs());
        assertEquals(List.of(Ipv4.parse("10.0.0.250"), Ipv4.parse("10.0.0.251")), o.stack().gatewayVirtualIps());
        assertEquals(Map.of(Ipv4.parse("10.0.0.250"), Ipv4.parse("127.0.0.1")), o.nat().table().entries());
    }

    @Test
    void sshForwardsNeedTheirIdentityFile() {
        FlagException e = assertThrows(FlagException.class, () -> withFile("""
                forwards:
                    - socket: /tmp/p.sock
                      dest: /run/podman/podman.sock
                      user: core
                      identity: /nonexistent/id
                """));
        assertTrue(e.getMessage().startsWith("Identity file \"/nonexistent/id\""), e.getMessage());
    }

    /** upstream's "debug check" cases. */
    @Test
    void logLevelAndDebug() throws Exception {
        GvproxyOptions debugLevel = withFile("log-level: debug");
        assertEquals(LogrusLogger.Level.DEBUG, debugLevel.logLevel());
        assertTrue(debugLevel.debug());
        GvproxyOptions forced = withFile("log-level: error", "-debug");
        assertEquals(LogrusLogger.Level.DEBUG, forced.logLevel());
        assertTrue(forced.debug());
        GvproxyOptions stackDebug = withFile("stack:\n    debug: true\n");
        assertEquals(LogrusLogger.Level.INFO, stackDebug.logLevel());
        assertTrue(stackDebug.debug());
        GvproxyOptions bad = withFile("log-level: loud");
        assertEquals(LogrusLogger.Level.INFO, bad.logLevel());
        assertTrue(bad.warnings().getFirst().contains("bad log-level \"loud\", using info"), bad.warnings().toString());
    }

    @Test
    void pcapAndSshPortFlagsAreIgnoredWithAWarning() throws Exception {
        GvproxyOptions o = withFile("stack:\n    capture-file: /tmp/file.pcap\n", "-pcap", "/tmp/flag.pcap",
                "-ssh-port", "2300");
        assertEquals(Optional.of(Path.of("/tmp/file.pcap")), o.pcapFile());
        assertEquals(List.of(), o.stack().forwards());
        assertEquals(2, o.warnings().size(), o.warnings().toString());
        assertTrue(o.warnings().get(1).contains("stack.forwards"), o.warnings().toString());
    }

    @Test
    void unknownKeysAreIgnoredWithAWarning() throws Exception {
        GvproxyOptions o = withFile("stack:\n    mtu: 1400\n    gatewayIp: 192.168.127.1\n");
        assertEquals(1400, o.mtu());
        assertEquals(1, o.warnings().size());
        assertTrue(o.warnings().getFirst().endsWith("line 3: unknown key \"stack.gatewayIp\" ignored"),
                o.warnings().getFirst());
    }

    @Test
    void ec2MetadataAccessFromTheStack() throws Exception {
        assertTrue(withFile("stack:\n    ec2MetadataAccess: true\n").nat().ec2MetadataAccess());
        assertFalse(withFile("stack:\n    ec2MetadataAccess: false\n").nat().ec2MetadataAccess());
    }

    private record Run(int status, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = GvproxyMain.run(args, (o, l) -> new RecordingHandler(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
                    throw new AssertionError("no stdio expected");
                }, false);
        return new Run(status, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badFilesAreOneLineAndExitTwo() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Map<String, String> cases = Map.of(
                "stack:\n    mtu: [1500]\n", "line 2: stack.mtu: expected a single value, found a list",
                "stack:\n  mtu: 1500\n   subnet: x\n", "line 3: unexpected indentation",
                "stack:\n    mtu: big\n", "line 2: stack.mtu: \"big\" is not an integer",
                "stack:\n    gatewayMacAddress: 5a:94\n", "line 2: stack.gatewayMacAddress: \"5a:94\" is not a MAC",
                "stack:\n    nat:\n        1.2.3: 127.0.0.1\n", "line 3: stack.nat key: \"1.2.3\" is not an IPv4",
                "stack:\n    mtu: 20\n", "mtu value must be between 68 and 65520",
                "stack:\n    subnet: 10.0.0.0/30\n", "subnet too small",
                "stack:\n    dhcpStaticLeases:\n        10.9.9.9: 5a:94:ef:e4:0c:ee\n",
                "line 2: stack.dhcpStaticLeases: 10.9.9.9 is not a host address of 192.168.127.0/24");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(file, c.getKey());
            Run r = run("-config", file.toString());
            assertEquals(2, r.status(), c.getKey() + " -> " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains(c.getValue()), c.getKey() + " -> " + r.err());
        }
        Run missing = run("-config", dir.resolve("none.yaml").toString());
        assertEquals(2, missing.status());
        assertEquals("config file " + dir.resolve("none.yaml") + ": no such file" + System.lineSeparator(),
                missing.err());
    }

    @Test
    void sshForwardsInTheFileAreNotImplementedYet() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path file = Files.writeString(dir.resolve("f.yaml"), "forwards:\n    - socket: /tmp/p.sock\n"
                + "      dest: /run/d.sock\n      user: core\n      identity: " + key + "\n");
        Run r = run("-config", file.toString());
        assertEquals(2, r.status());
        assertEquals("forwards (SSH unix socket forwarding) in the config file is not implemented yet"
                + System.lineSeparator(), r.err());
    }
}
