package io.gvproxy.cli;

/** gvproxy's command-line flags: upstream names, types and defaults (cmd/gvproxy/config.go). */
public final class GvproxyFlags {
    public static final String DEFAULT_SUBNET = "192.168.127.0/24";
    public static final long DEFAULT_SSH_PORT = 2222;
    public static final String GUEST_EXPOSE_UNRESTRICTED = "guest-expose-unrestricted";

    private GvproxyFlags() {
    }

    public static GoFlags define() {
        return NatFlags.define(new GoFlags("gvproxy")
                .string("config", "", "Use configuration file with command line override (upstream's YAML schema; config"
                        + " mode: no default DNS zones, ssh forward or static lease unless the file gives them)")
                .repeatable("listen", "control endpoint (unix://, tcp:// or vsock:// URL); repeatable")
                .bool("debug", false, "Print debug info")
                .string("pcap", "", "Capture network traffic to a pcap file")
                .integer("mtu", 0, "Set the MTU (default: 1500); 68 to 65520")
                .integer("ssh-port", DEFAULT_SSH_PORT,
                        "Port to access the guest virtual machine. Must be between 1024 and 65535 (-1 disables)")
                .string("subnet", DEFAULT_SUBNET, "Virtual network subnet (IPv4 CIDR, /29 or larger)")
                .string("gatewayIP", "", "Gateway IP address (default: first usable address of the subnet)")
                .string("deviceIP", "", "Guest (device) IP address (default: second usable address of the subnet)")
                .string("hostIP", "", "Virtual host IP address, NAT'd to 127.0.0.1 (default: last usable address"
                        + " of the subnet)")
                .string("listen-vpnkit", "", "VPNKit socket to be used by Hyperkit (unix://, tcp:// or vsock://"
                        + " URL)")
                .string("listen-qemu", "", "Socket to be used by Qemu (unix:// or tcp:// URL)")
                .string("listen-bess", "", "unixpacket socket to be used by Bess-compatible applications")
                .string("listen-stdio", "", "accept stdio pipe (any non-empty value, conventionally \"accept\")")
                .string("listen-vfkit", "", "unixgram socket to be used by vfkit-compatible applications")
                .repeatable("forward-sock", "Forwards a unix socket to the guest virtual machine over SSH")
                .repeatable("forward-dest", "Forwards a unix socket to the guest virtual machine over SSH")
                .repeatable("forward-user", "SSH user to use for unix socket forward")
                .repeatable("forward-identity", "Path to SSH identity key for forwarding")
                .string("pid-file", "", "Generate a file with the PID in it")
                .string("log-file", "", "Output log messages (logrus) to a given file path")
                .string("services", "", "Exposes the same HTTP API as the --listen flag, without the /connect"
                        + " endpoint")
                .bool("ec2-metadata-access", false, "Permits access to EC2 Metadata Service and Amazon Time Sync"
                        + " Service (169.254.0.0/16, TCP and UDP)")
                .string("notification", "", "Unix socket (unix:// URL) that receives JSON lifecycle notifications")
                .bool("version", false, "Print version information")
                .repeatable("dns-server", "DNS server ADDR[:PORT] (IP literal; port 53 by default) to forward guest"
                        + " queries outside the local zones to, instead of the nameservers in /etc/resolv.conf;"
                        + " repeatable, tried in order (not in upstream gvproxy)")
                .repeatable("dns-search", "Search domain handed to guests by DHCP (option 119), instead of the search"
                        + " line of /etc/resolv.conf; repeatable, an empty value sends none (not in upstream gvproxy)")
                .bool(GUEST_EXPOSE_UNRESTRICTED, false, "Let the guest's API on the gateway (port 80) expose host"
                        + " ports on any address and unix sockets, as upstream gvproxy does; by default it may only"
                        + " expose tcp/udp ports on host loopback addresses (not in upstream gvproxy)"));
    }
}
