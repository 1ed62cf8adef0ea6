package io.gvproxy.cli;

import io.gvproxy.core.nat.NatConfig;
import io.gvproxy.core.net.Ipv4Subnet;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The validated gvproxy configuration. Addresses are IPv4 ints (see {@link io.gvproxy.core.net.Ipv4}); {@code mtu}
 * is already resolved (flag value 0 means 1500); {@code sshPort} is -1 when disabled; {@code explicitFlags} names
 * the flags that appeared on the command line. {@code dnsServers} and {@code dnsSearchDomains} hold the
 * {@code -dns-server} and {@code -dns-search} values; they replace the host's resolv.conf only when their flag was
 * given (see {@link #explicitFlags}). {@code nat} is the outbound NAT (see {@link NatFlags}).
 * {@code guestExposeUnrestricted} lets the guest's API on gateway:80 expose any host address and unix sockets, as
 * upstream does. {@code debug} is upstream's {@code stack.debug} (per-frame log lines); {@code logLevel} is the log
 * threshold (debug with {@code -debug}); {@code stack} holds the settings no flag gives (defaults of default mode, or
 * the {@code -config} file's); {@code warnings} are lines to log once the log is open (ignored flags, unknown keys).
 */
public record GvproxyOptions(
        List<ListenUrl> listen,
        boolean debug,
        Optional<Path> pcapFile,
        int mtu,
        int sshPort,
        Ipv4Subnet subnet,
        int gatewayIp,
        int deviceIp,
        int hostIp,
        Optional<ListenUrl> vpnkit,
        Optional<ListenUrl> qemu,
        Optional<ListenUrl> bess,
        Optional<String> stdio,
        Optional<ListenUrl> vfkit,
        List<SshForward> forwards,
        Optional<Path> pidFile,
        Optional<Path> logFile,
        Optional<ListenUrl> services,
        boolean ec2MetadataAccess,
        Optional<ListenUrl> notification,
        Optional<Path> configFile,
        Set<String> explicitFlags,
        List<String> commandLine,
        List<InetSocketAddress> dnsServers,
        List<String> dnsSearchDomains,
        NatConfig nat,
        boolean guestExposeUnrestricted,
        StackSettings stack,
        LogrusLogger.Level logLevel,
        List<String> warnings) {

    public GvproxyOptions {
        listen = List.copyOf(listen);
        forwards = List.copyOf(forwards);
        explicitFlags = Set.copyOf(explicitFlags);
        commandLine = List.copyOf(commandLine);
        dnsServers = List.copyOf(dnsServers);
        dnsSearchDomains = List.copyOf(dnsSearchDomains);
        warnings = List.copyOf(warnings);
    }
}
