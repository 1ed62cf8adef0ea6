package io.gvproxy.cli;

import io.gvproxy.cli.config.ConfigFile;
import io.gvproxy.cli.config.ConfigFileReader;
import io.gvproxy.cli.config.YamlException;
import io.gvproxy.core.forward.PortForwarder;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import io.gvproxy.core.NetworkConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Upstream's config mode (upstream-inventory §1.2–1.4): with {@code -config FILE}, the file gives the settings
 * and the command line overrides {@code -listen}, the {@code -listen-*} interfaces, {@code -services},
 * {@code -pid-file}, {@code -log-file} and {@code -notification}; {@code -subnet}, {@code -gatewayIP},
 * {@code -deviceIP}, {@code -hostIP} and {@code -mtu} fill in only what the file leaves empty; {@code -forward-*}
 * entries are appended to the file's {@code forwards}; {@code -debug} forces log level debug. {@code -pcap} and
 * {@code -ssh-port} are ignored (the file's {@code stack.capture-file} and {@code stack.forwards} say it), and
 * the defaults of default mode (DNS zones, search domains, the ssh forward, the static lease, the VPNKit UUID)
 * are not added.
 */
final class ConfigMode {
    private ConfigMode() {
    }

    /** Reads the file; any problem is one line naming the file and, when known, the line. */
    static ConfigFile load(Path file) throws FlagException {
        try {
            return ConfigFileReader.read(file);
        } catch (YamlException e) {
            throw new FlagException("config file " + file + (e.line() > 0 ? " line " + e.line() : "") + ": "
                    + e.getMessage());
        }
    }

    /** The command line with the file's values filled in as the precedence above says. */
    static ParsedFlags merge(ParsedFlags f, ConfigFile c, Path file, List<String> warnings) {
        Map<String, Object> v = new HashMap<>();
        fromFile(f, v, "listen", c.listen().map(l -> (Object) l));
        fromFile(f, v, "listen-vpnkit", c.interfaces().vpnkit());
        fromFile(f, v, "listen-qemu", c.interfaces().qemu());
        fromFile(f, v, "listen-bess", c.interfaces().bess());
        fromFile(f, v, "listen-stdio", c.interfaces().stdio());
        fromFile(f, v, "listen-vfkit", c.interfaces().vfkit());
        fromFile(f, v, "pid-file", c.pidFile());
        fromFile(f, v, "log-file", c.logFile());
        fromFile(f, v, "services", c.services());
        // The file's notification is a socket path, the flag's a unix:// URL (upstream converts only the flag).
        fromFile(f, v, "notification", c.notification().map(p -> "unix://" + Path.of(p).toAbsolutePath()));
        ConfigFile.Stack s = c.stack();
        s.subnet().ifPresent(x -> v.put("subnet", x));
        s.gatewayIp().ifPresent(x -> v.put("gatewayIP", x));
        s.deviceIp().ifPresent(x -> v.put("deviceIP", x));
        s.hostIp().ifPresent(x -> v.put("hostIP", x));
        if (s.mtu() != 0) {
            v.put("mtu", (long) s.mtu());
        }
        if (f.isSet("pcap")) {
            warnings.add("-pcap is ignored with -config; set stack.capture-file in the config file");
        }
        v.put("pcap", s.captureFile().orElse(""));
        if (f.isSet("ssh-port")) {
            warnings.add("-ssh-port is ignored with -config; add the forward to stack.forwards in the config file");
        }
        v.put("ssh-port", -1L);
        v.put("debug", f.bool("debug") || s.debug() || logLevel(f, c, file, new ArrayList<>()) == LogrusLogger.Level.DEBUG);
        v.put(NatFlags.EC2, f.bool(NatFlags.EC2) || s.ec2MetadataAccess() || c.ec2MetadataAccess());
        List<String> socks = new ArrayList<>();
        List<String> dests = new ArrayList<>();
        List<String> users = new ArrayList<>();
        List<String> identities = new ArrayList<>();
        for (ConfigFile.SshForwardEntry e : c.forwards()) {
            socks.add(e.socket());
            dests.add(e.dest());
            users.add(e.user());
            identities.add(e.identity());
        }
        socks.addAll(f.list("forward-sock"));
        dests.addAll(f.list("forward-dest"));
        users.addAll(f.list("forward-user"));
        identities.addAll(f.list("forward-identity"));
        v.put("forward-sock", socks);
        v.put("forward-dest", dests);
        v.put("forward-user", users);
        v.put("forward-identity", identities);
        return f.withValues(v);
    }

    private static void fromFile(ParsedFlags f, Map<String, Object> v, String flag, Optional<?> fileValue) {
        if (!f.isSet(flag)) {
            fileValue.ifPresent(x -> v.put(flag, x));
        }
    }

    /** {@code -debug} forces debug; a bad level is a warning and means info, as upstream. */
    static LogrusLogger.Level logLevel(ParsedFlags f, ConfigFile c, Path file, List<String> warnings) {
        if (f.bool("debug")) {
            return LogrusLogger.Level.DEBUG;
        }
        if (c.logLevel().isEmpty()) {
            return LogrusLogger.Level.INFO;
        }
        Optional<LogrusLogger.Level> level = LogrusLogger.Level.parse(c.logLevel().get());
        if (level.isEmpty()) {
            warnings.add("config file " + file + " line " + c.keyLines().get("log-level") + ": bad log-level "
                    + GoQuote.quote(c.logLevel().get()) + ", using info");
        }
        return level.orElse(LogrusLogger.Level.INFO);
    }

    /** The stack's remaining settings: the file's, with upstream's config-mode defaults for the rest. */
    static StackSettings stack(ConfigFile c, Path file, Ipv4Subnet subnet, int hostIp) throws FlagException {
        ConfigFile.Stack s = c.stack();
        Map<Integer, io.gvproxy.core.net.MacAddress> leases = s.dhcpStaticLeases().orElse(Map.of());
        for (int ip : leases.keySet()) {
            if (!subnet.contains(ip) || ip == subnet.network() || ip == subnet.broadcast()) {
                throw new FlagException("config file " + file + " line " + c.keyLines().get("stack.dhcpStaticLeases")
                        + ": stack.dhcpStaticLeases: " + Ipv4.toString(ip) + " is not a host address of " + subnet);
            }
        }
        List<PortForwarder.Forward> forwards = new ArrayList<>();
        for (Map.Entry<String, String> e : s.forwards().orElse(Map.of()).entrySet()) {
            // upstream: a "udp:" prefix on the local side makes it UDP, anything else is TCP.
            boolean udp = e.getKey().startsWith("udp:");
            forwards.add(new PortForwarder.Forward(udp ? e.getKey().substring(4) : e.getKey(), e.getValue(),
                    udp ? "udp" : "tcp"));
        }
        return new StackSettings(s.gatewayMacAddress().orElse(NetworkConfig.DEFAULT_GATEWAY_MAC),
                s.gatewayVirtualIps().orElse(List.of(hostIp)), s.dns().orElse(List.of()),
                Optional.of(s.dnsSearchDomains().orElse(List.of())), leases,
                s.vpnKitUuidMacAddresses().orElse(Map.of()), forwards);
    }
}
