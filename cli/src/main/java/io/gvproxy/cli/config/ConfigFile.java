package io.gvproxy.cli.config;

import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.net.MacAddress;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code -config} file says, in upstream's {@code GvproxyConfig} schema (cmd/gvproxy/config.go). An absent
 * key is an empty Optional (or false / 0), so that the caller can tell "not in the file" from "empty". Addresses
 * are IPv4 ints, already syntax-checked; whether they fit the subnet is checked with the flags.
 *
 * @param warnings  one line each: unknown keys (upstream ignores them silently) and a bad log-level
 * @param keyLines  the line of each key path given (e.g. {@code stack.gatewayIP}), for later error messages
 */
public record ConfigFile(
        Optional<List<String>> listen,
        Optional<String> logLevel,
        Stack stack,
        Interfaces interfaces,
        List<SshForwardEntry> forwards,
        Optional<String> pidFile,
        Optional<String> logFile,
        Optional<String> services,
        boolean ec2MetadataAccess,
        Optional<String> notification,
        List<String> warnings,
        Map<String, Integer> keyLines) {

    public ConfigFile {
        forwards = List.copyOf(forwards);
        warnings = List.copyOf(warnings);
        keyLines = Map.copyOf(keyLines);
    }

    /** upstream's {@code types.Configuration}; mtu 0 means unset. */
    public record Stack(
            boolean debug,
            Optional<String> captureFile,
            int mtu,
            Optional<String> subnet,
            Optional<String> gatewayIp,
            Optional<String> deviceIp,
            Optional<String> hostIp,
            Optional<MacAddress> gatewayMacAddress,
            Optional<List<Zone>> dns,
            Optional<List<String>> dnsSearchDomains,
            Optional<Map<String, String>> forwards,
            Optional<Map<Integer, Integer>> nat,
            Optional<List<Integer>> gatewayVirtualIps,
            Optional<Map<Integer, MacAddress>> dhcpStaticLeases,
            Optional<Map<String, MacAddress>> vpnKitUuidMacAddresses,
            boolean ec2MetadataAccess) {
    }

    /** The {@code interfaces} map: the same values as the {@code -listen-*} flags. */
    public record Interfaces(Optional<String> vpnkit, Optional<String> qemu, Optional<String> bess,
                             Optional<String> stdio, Optional<String> vfkit) {
    }

    /** One entry of the top-level {@code forwards} list (SSH unix-socket forwards, not {@code stack.forwards}). */
    public record SshForwardEntry(String socket, String dest, String user, String identity) {
    }
}
