package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.core.net.Ipv4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GvproxyOptionsValidatorTest {
    private static String error(String... args) {
        FlagException e = assertThrows(FlagException.class, () -> Options.of(args));
        assertEquals(2, e.exitStatus());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaults() throws FlagException {
        // not Options.of, which turns the ssh forward off
        GvproxyOptions o = GvproxyOptionsValidator.validate(GvproxyFlags.define().parse(List.of()), List.of("gvproxy"));
        assertFalse(o.guestExposeUnrestricted());
        assertEquals(List.of(), o.listen());
        assertFalse(o.debug());
        assertEquals(Optional.empty(), o.pcapFile());
        assertEquals(1500, o.mtu());
        assertEquals(2222, o.sshPort());
        assertEquals("192.168.127.0/24", o.subnet().toString());
        assertEquals(Ipv4.parse("192.168.127.1"), o.gatewayIp());
        assertEquals(Ipv4.parse("192.168.127.2"), o.deviceIp());
        assertEquals(Ipv4.parse("192.168.127.254"), o.hostIp());
        assertEquals(Optional.empty(), o.vpnkit());
        assertEquals(Optional.empty(), o.qemu());
        assertEquals(Optional.empty(), o.bess());
        assertEquals(Optional.empty(), o.stdio());
        assertEquals(Optional.empty(), o.vfkit());
        assertEquals(List.of(), o.forwards());
        assertEquals(Optional.empty(), o.pidFile());
        assertEquals(Optional.empty(), o.logFile());
        assertEquals(Optional.empty(), o.services());
        assertFalse(o.ec2MetadataAccess());
        assertEquals(Optional.empty(), o.notification());
        assertEquals(Optional.empty(), o.configFile());
        assertEquals(Set.of(), o.explicitFlags());
        assertEquals(List.of("gvproxy"), o.commandLine());
    }

    @Test
    void everyFlagIsCarriedIntoTheOptions(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        GvproxyOptions o = Options.of("-listen", "unix:///run/a.sock", "--listen=tcp://127.0.0.1:7777", "-debug",
                "-pcap", "/tmp/c.pcap", "-mtu=9000", "-ssh-port", "2223", "-subnet", "10.1.2.0/29",
                "-gatewayIP", "10.1.2.3", "-deviceIP=10.1.2.4", "--hostIP", "10.1.2.5",
                "-listen-qemu", "tcp://127.0.0.1:1234", "-listen-stdio", "accept",
                "-listen-vfkit", "unixgram:///run/v.sock", "-forward-sock", "/run/p.sock", "-forward-dest",
                "/run/podman/podman.sock", "-forward-user", "core", "-forward-identity", key.toString(),
                "-pid-file", "/run/g.pid", "-log-file", "/run/g.log", "-services", "unix:///run/s.sock",
                "-ec2-metadata-access", "-notification", "unix:///run/n.sock");
        assertEquals(List.of(ListenUrl.parse("unix:///run/a.sock"), ListenUrl.parse("tcp://127.0.0.1:7777")),
                o.listen());
        assertTrue(o.debug());
        assertEquals(Optional.of(Path.of("/tmp/c.pcap")), o.pcapFile());
        assertEquals(9000, o.mtu());
        assertEquals(2223, o.sshPort());
        assertEquals("10.1.2.0/29", o.subnet().toString());
        assertEquals(Ipv4.parse("10.1.2.3"), o.gatewayIp());
        assertEquals(Ipv4.parse("10.1.2.4"), o.deviceIp());
        assertEquals(Ipv4.parse("10.1.2.5"), o.hostIp());
        assertEquals(Optional.of(ListenUrl.parse("tcp://127.0.0.1:1234")), o.qemu());
        assertEquals(Optional.of("accept"), o.stdio());
        assertEquals(Optional.of(ListenUrl.parse("unixgram:///run/v.sock")), o.vfkit());
        assertEquals(List.of(new SshForward("/run/p.sock", "/run/podman/podman.sock", "core", key)), o.forwards());
        assertEquals(Optional.of(Path.of("/run/g.pid")), o.pidFile());
        assertEquals(Optional.of(Path.of("/run/g.log")), o.logFile());
        assertEquals(Optional.of(ListenUrl.parse("unix:///run/s.sock")), o.services());
        assertTrue(o.ec2MetadataAccess());
        assertEquals(Optional.of(ListenUrl.parse("unix:///run/n.sock")), o.notification());
        assertEquals(Optional.empty(), o.configFile());
        assertTrue(o.explicitFlags().containsAll(Set.of("listen", "ssh-port", "mtu", "hostIP")));
        assertEquals(21, o.explicitFlags().size());
    }

    @Test
    void vpnkitAndBessAlone() throws FlagException {
        assertEquals(Optional.of(ListenUrl.parse("unix:///run/vpnkit.sock")),
                Options.of("-listen-vpnkit", "unix:///run/vpnkit.sock").vpnkit());
        assertEquals(Optional.of(ListenUrl.parse("unixpacket:///run/b.sock")),
                Options.of("-listen-bess", "unixpacket:///run/b.sock").bess());
        assertEquals(Optional.of(ListenUrl.parse("vsock://:1024")), Options.of("-listen-vpnkit", "vsock://:1024").vpnkit());
    }

    @Test
    void ipDefaultsFollowTheSubnet() throws FlagException {
        GvproxyOptions o = Options.of("-subnet", "10.0.0.77/29");
        assertEquals("10.0.0.72/29", o.subnet().toString());
        assertEquals(Ipv4.parse("10.0.0.73"), o.gatewayIp());
        assertEquals(Ipv4.parse("10.0.0.74"), o.deviceIp());
        assertEquals(Ipv4.parse("10.0.0.78"), o.hostIp());
        GvproxyOptions big = Options.of("-subnet", "172.16.0.0/12");
        assertEquals(Ipv4.parse("172.31.255.254"), big.hostIp());
    }

    @ParameterizedTest
    @CsvSource({"0,1500", "68,68", "1500,1500", "65520,65520", "0x5dc,1500"})
    void mtuRange(String flag, int expected) throws FlagException {
        assertEquals(expected, Options.of("-mtu", flag).mtu());
    }

    @ParameterizedTest
    @ValueSource(strings = {"67", "65521", "-1", "9999999999"})
    void mtuOutOfRange(String flag) {
        assertEquals("mtu value must be between 68 and 65520 (0 means 1500), got " + Long.decode(flag),
                error("-mtu", flag));
    }

    @Test
    void mtuNotANumber() {
        assertEquals("invalid value \"abc\" for flag -mtu: parse error", error("-mtu", "abc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1024", "65535"})
    void sshPortAccepted(String port) throws FlagException {
        assertEquals(Integer.parseInt(port), Options.of("-ssh-port", port).sshPort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "22", "1023", "65536", "-2"})
    void sshPortRejected(String port) {
        assertEquals("ssh-port value must be between 1024 and 65535", error("-ssh-port", port));
    }

    @Test
    void subnetErrors() {
        assertEquals("failed to parse subnet: invalid CIDR address: 10.0.0.0", error("-subnet", "10.0.0.0"));
        assertEquals("failed to parse subnet: invalid CIDR address: fd00::/64", error("-subnet", "fd00::/64"));
        assertEquals("subnet too small: 10.0.0.0/30 (must be /29 or larger)", error("-subnet", "10.0.0.0/30"));
        assertEquals("subnet too small: 10.0.0.1/32 (must be /29 or larger)", error("-subnet", "10.0.0.1/32"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gatewayIP", "deviceIP", "hostIP"})
    void ipErrors(String flag) {
        assertEquals("invalid " + flag + " \"300.1.1.1\": not an IPv4 address", error("-" + flag, "300.1.1.1"));
        assertEquals("invalid " + flag + " \"host.example\": not an IPv4 address", error("-" + flag, "host.example"));
        assertEquals(flag + " 10.0.0.1 is not inside subnet 192.168.127.0/24", error("-" + flag, "10.0.0.1"));
        assertEquals(flag + " 192.168.127.0 is the network address of subnet 192.168.127.0/24",
                error("-" + flag, "192.168.127.0"));
        assertEquals(flag + " 192.168.127.255 is the broadcast address of subnet 192.168.127.0/24",
                error("-" + flag, "192.168.127.255"));
    }

    @Test
    void ipsMustBePairwiseDistinct() {
        assertEquals("gatewayIP and deviceIP must differ (both are 192.168.127.2)",
                error("-gatewayIP", "192.168.127.2"));
        assertEquals("gatewayIP and hostIP must differ (both are 192.168.127.254)",
                error("-gatewayIP", "192.168.127.254"));
        assertEquals("deviceIP and hostIP must differ (both are 192.168.127.9)",
                error("-deviceIP", "192.168.127.9", "-hostIP", "192.168.127.9"));
    }

    @Test
    void listenSchemes() {
        assertEquals("qemu listen address must be unix:// or tcp:// address",
                error("-listen-qemu", "vsock://:1024"));
        assertEquals("qemu listen address must be unix:// or tcp:// address",
                error("-listen-qemu", "unixpacket:///run/q"));
        assertEquals("bess listen address must be unixpacket:// address", error("-listen-bess", "unix:///run/b"));
        assertEquals("vfkit listen address must be unixgram:// address", error("-listen-vfkit", "unix:///run/v"));
        assertEquals("notification address must be unix:// address", error("-notification", "tcp://127.0.0.1:1"));
        assertEquals("vpnkit listen address must be unix://, tcp:// or vsock:// address",
                error("-listen-vpnkit", "unixgram:///run/v"));
        assertEquals("listen address must be unix://, tcp:// or vsock:// address",
                error("-listen", "unixpacket:///run/l"));
        assertEquals("services address must be unix://, tcp:// or vsock:// address",
                error("-services", "unixgram:///run/s"));
    }

    @Test
    void malformedListenUrls() {
        assertEquals("invalid value for listen-qemu: invalid URL \"/run/q.sock\": missing scheme://",
                error("-listen-qemu", "/run/q.sock"));
        assertEquals("invalid value for listen-qemu: unexpected scheme \"http\" in http://x:1",
                error("-listen-qemu", "http://x:1"));
        assertEquals("invalid value for listen-qemu: invalid URL \"unix://run/q.sock\": expected"
                + " unix:///absolute/path", error("-listen-qemu", "unix://run/q.sock"));
        assertEquals("invalid value for listen: invalid URL \"tcp://127.0.0.1\": expected tcp://host:port",
                error("-listen", "tcp://127.0.0.1"));
    }

    @Test
    void vmInterfacesCombine() throws FlagException {
        GvproxyOptions o = Options.of("-listen-vpnkit", "unix:///a", "-listen-qemu", "unix:///b",
                "-listen-bess", "unixpacket:///c");
        assertTrue(o.vpnkit().isPresent() && o.qemu().isPresent() && o.bess().isPresent());
    }

    @Test
    void vfkitAndStdioCombineWithAnything() throws FlagException {
        GvproxyOptions o = Options.of("-listen-qemu", "unix:///a", "-listen-vfkit", "unixgram:///b",
                "-listen-stdio", "accept");
        assertTrue(o.qemu().isPresent() && o.vfkit().isPresent() && o.stdio().isPresent());
    }

    @Test
    void forwardFlagsMustComeTogether(@TempDir Path dir) throws Exception {
        String msg = "--forward-sock, --forward-dest, --forward-user, and --forward-identity must all be specified"
                + " together, the same number of times, or not at all";
        assertEquals(msg, error("-forward-sock", "/a"));
        Path key = Files.writeString(dir.resolve("k"), "k");
        assertEquals(msg, error("-forward-sock", "/a", "-forward-dest", "/b", "-forward-user", "u",
                "-forward-identity", key.toString(), "-forward-sock", "/c"));
        Path missing = dir.resolve("missing");
        assertEquals("Identity file \"" + missing + "\" can't be loaded: no such file or directory",
                error("-forward-sock", "/a", "-forward-dest", "/b", "-forward-user", "u",
                        "-forward-identity", missing.toString()));
    }

    @Test
    void positionalArgumentsRejected() {
        assertEquals("unexpected argument \"false\": gvproxy takes only flags", error("-debug", "false"));
        assertEquals("unexpected argument \"-mtu\": gvproxy takes only flags", error("--", "-mtu", "1400"));
    }

    @Test
    void optionsAreImmutable() throws FlagException {
        GvproxyOptions o = Options.of("-listen", "unix:///a");
        assertThrows(UnsupportedOperationException.class, () -> o.listen().clear());
        assertThrows(UnsupportedOperationException.class, () -> o.explicitFlags().clear());
    }
}
