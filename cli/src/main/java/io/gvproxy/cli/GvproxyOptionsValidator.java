package io.gvproxy.cli;

import io.gvproxy.cli.config.ConfigFile;
import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.nat.NatTable;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.Ipv4Subnet;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Turns parsed flags into {@link GvproxyOptions}, applying upstream's startup validation (messages kept close). */
public final class GvproxyOptionsValidator {
    /** IPv4's minimum link MTU; also the smallest value DHCP option 26 may carry. */
    public static final int MIN_MTU = 68;
    /** The VPNKit handshake sends MTU+14 as a uint16, and HyperKit frames have a 2-byte length. */
    public static final int MAX_MTU = 65520;
    public static final int DEFAULT_MTU = 1500;

    private static final Set<ListenUrl.Scheme> API_SCHEMES =
            EnumSet.of(ListenUrl.Scheme.UNIX, ListenUrl.Scheme.TCP, ListenUrl.Scheme.VSOCK);
    private static final Set<ListenUrl.Scheme> STREAM_SCHEMES = EnumSet.of(ListenUrl.Scheme.UNIX, ListenUrl.Scheme.TCP);

    private GvproxyOptionsValidator() {
    }

    public static GvproxyOptions validate(ParsedFlags given, List<String> commandLine) throws FlagException {
        Optional<Path> configPath = optionalPath(given, "config");
        List<String> warnings = new ArrayList<>();
        ConfigFile file = configPath.isPresent() ? ConfigMode.load(configPath.get()) : null;
        ParsedFlags f = given;
        if (file != null) {
            file.warnings().forEach(w -> warnings.add("config file " + configPath.get() + " " + w));
            f = ConfigMode.merge(given, file, configPath.get(), warnings);
        }
        if (!f.remaining().isEmpty()) {
            throw new FlagException("unexpected argument " + GoQuote.quote(f.remaining().getFirst())
                    + ": gvproxy takes only flags");
        }
        Ipv4Subnet subnet;
        try {
            subnet = Ipv4Subnet.parse(f.string("subnet"));
        } catch (IllegalArgumentException e) {
            throw new FlagException("failed to parse subnet: " + e.getMessage());
        }
        if (subnet.prefixLength() + 3 > 32) {
            throw new FlagException("subnet too small: " + subnet + " (must be /29 or larger)");
        }
        int gateway = ip(f, "gatewayIP", subnet, subnet.network() + 1);
        int device = ip(f, "deviceIP", subnet, subnet.network() + 2);
        int host = ip(f, "hostIP", subnet, subnet.broadcast() - 1);
        distinct("gatewayIP", gateway, "deviceIP", device);
        distinct("gatewayIP", gateway, "hostIP", host);
        distinct("deviceIP", device, "hostIP", host);

        long mtu = f.integer("mtu");
        if (mtu == 0) {
            mtu = DEFAULT_MTU;
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new FlagException("mtu value must be between " + MIN_MTU + " and " + MAX_MTU + " (0 means "
                    + DEFAULT_MTU + "), got " + f.integer("mtu"));
        }
        long sshPort = f.integer("ssh-port");
        if (sshPort != -1 && (sshPort < 1024 || sshPort > 65535)) {
            throw new FlagException("ssh-port value must be between 1024 and 65535");
        }

        List<ListenUrl> listen = new ArrayList<>();
        for (String s : f.list("listen")) {
            listen.add(url("listen", s, API_SCHEMES, "listen address must be unix://, tcp:// or vsock:// address"));
        }
        Optional<ListenUrl> services = optionalUrl(f, "services", API_SCHEMES,
                "services address must be unix://, tcp:// or vsock:// address");
        Optional<ListenUrl> vpnkit = optionalUrl(f, "listen-vpnkit", API_SCHEMES,
                "vpnkit listen address must be unix://, tcp:// or vsock:// address");
        Optional<ListenUrl> qemu = optionalUrl(f, "listen-qemu", STREAM_SCHEMES,
                "qemu listen address must be unix:// or tcp:// address");
        Optional<ListenUrl> bess = optionalUrl(f, "listen-bess", EnumSet.of(ListenUrl.Scheme.UNIXPACKET),
                "bess listen address must be unixpacket:// address");
        Optional<ListenUrl> vfkit = optionalUrl(f, "listen-vfkit", EnumSet.of(ListenUrl.Scheme.UNIXGRAM),
                "vfkit listen address must be unixgram:// address");
        Optional<ListenUrl> notification = optionalUrl(f, "notification", EnumSet.of(ListenUrl.Scheme.UNIX),
                "notification address must be unix:// address");
        Optional<String> stdio = nonEmpty(f.string("listen-stdio"));

        // Upstream refuses qemu+vpnkit, vpnkit+bess and qemu+bess together. Here every listener has its own
        // framing and the switch takes any number of ports, so VMs of different kinds can share one network.

        List<String> socks = f.list("forward-sock");
        List<String> dests = f.list("forward-dest");
        List<String> users = f.list("forward-user");
        List<String> identities = f.list("forward-identity");
        int n = socks.size();
        if (n != dests.size() || n != users.size() || n != identities.size()) {
            throw new FlagException("--forward-sock, --forward-dest, --forward-user, and --forward-identity must all"
                    + " be specified together, the same number of times, or not at all");
        }
        List<SshForward> forwards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path identity = path("forward-identity", identities.get(i));
            if (!Files.exists(identity)) {
                throw new FlagException("Identity file " + GoQuote.quote(identities.get(i))
                        + " can't be loaded: no such file or directory");
            }
            forwards.add(new SshForward(socks.get(i), dests.get(i), users.get(i), identity));
        }

        StackSettings stack;
        LogrusLogger.Level logLevel;
        NatConfig nat = NatFlags.config(f, host);
        if (file == null) {
            stack = StackSettings.defaults(gateway, device, host, (int) sshPort);
            logLevel = f.bool("debug") ? LogrusLogger.Level.DEBUG : LogrusLogger.Level.INFO;
        } else {
            stack = ConfigMode.stack(file, configPath.get(), subnet, host);
            logLevel = ConfigMode.logLevel(given, file, configPath.get(), warnings);
            if (file.stack().nat().isPresent()) {
                nat = new NatConfig(new NatTable(file.stack().nat().get()), nat.policy(), nat.ec2MetadataAccess(),
                        nat.connectTimeout(), nat.udpIdleTimeout(), nat.maxUdpFlows());
            }
        }
        return new GvproxyOptions(listen, f.bool("debug"), optionalPath(f, "pcap"), (int) mtu, (int) sshPort,
                subnet, gateway, device, host, vpnkit, qemu, bess, stdio, vfkit, forwards,
                optionalPath(f, "pid-file"), optionalPath(f, "log-file"), services, f.bool("ec2-metadata-access"),
                notification, configPath, given.setNames(), commandLine,
                DnsFlags.servers(f.list(DnsFlags.SERVER)), DnsFlags.searchDomains(f.list(DnsFlags.SEARCH)),
                nat, f.bool(GvproxyFlags.GUEST_EXPOSE_UNRESTRICTED), stack, logLevel, warnings);
    }

    private static int ip(ParsedFlags f, String flag, Ipv4Subnet subnet, int def) throws FlagException {
        String text = f.string(flag);
        if (text.isEmpty()) {
            return def;
        }
        int ip;
        try {
            ip = Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            throw new FlagException("invalid " + flag + " " + GoQuote.quote(text) + ": not an IPv4 address");
        }
        if (!subnet.contains(ip)) {
            throw new FlagException(flag + " " + text + " is not inside subnet " + subnet);
        }
        if (ip == subnet.network()) {
            throw new FlagException(flag + " " + text + " is the network address of subnet " + subnet);
        }
        if (ip == subnet.broadcast()) {
            throw new FlagException(flag + " " + text + " is the broadcast address of subnet " + subnet);
        }
        return ip;
    }

    private static void distinct(String a, int ipA, String b, int ipB) throws FlagException {
        if (ipA == ipB) {
            throw new FlagException(a + " and " + b + " must differ (both are " + Ipv4.toString(ipA) + ")");
        }
    }

    private static Optional<ListenUrl> optionalUrl(ParsedFlags f, String flag, Set<ListenUrl.Scheme> allowed,
            String schemeMessage) throws FlagException {
        String text = f.string(flag);
        return text.isEmpty() ? Optional.empty() : Optional.of(url(flag, text, allowed, schemeMessage));
    }

    private static ListenUrl url(String flag, String text, Set<ListenUrl.Scheme> allowed, String schemeMessage)
            throws FlagException {
        ListenUrl url;
        try {
            url = ListenUrl.parse(text);
        } catch (IllegalArgumentException e) {
            throw new FlagException("invalid value for " + flag + ": " + e.getMessage());
        }
        if (!allowed.contains(url.scheme())) {
            throw new FlagException(schemeMessage);
        }
        return url;
    }

    private static Optional<Path> optionalPath(ParsedFlags f, String flag) throws FlagException {
        String text = f.string(flag);
        return text.isEmpty() ? Optional.empty() : Optional.of(path(flag, text));
    }

    private static Path path(String flag, String text) throws FlagException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new FlagException("invalid value for " + flag + ": " + e.getMessage());
        }
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
