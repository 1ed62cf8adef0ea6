package io.gvproxy.core.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of resolv.conf(5) gvproxy uses: {@code nameserver} lines (IP literals; never resolved) and the
 * first {@code search} line, as upstream reads it for DHCP option 119. Domains that are not valid names are
 * skipped.
 */
public record ResolvConf(List<InetAddress> nameservers, List<String> search) {
    public static final Path DEFAULT_PATH = Path.of("/etc/resolv.conf");
    public static final int DNS_PORT = 53;

    public ResolvConf {
        nameservers = List.copyOf(nameservers);
        search = List.copyOf(search);
    }

    /** Reads {@code path}; a missing or unreadable file is an empty configuration. */
    public static ResolvConf read(Path path) {
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return new ResolvConf(List.of(), List.of());
        }
    }

    public static ResolvConf parse(String text) {
        List<InetAddress> servers = new ArrayList<>();
        List<String> search = null;
        for (String raw : text.split("\n")) {
            String line = raw;
            int comment = indexOfComment(line);
            if (comment >= 0) {
                line = line.substring(0, comment);
            }
            String[] f = line.trim().split("[ \t]+");
            if (f.length < 2) {
                continue;
            }
            if (f[0].equals("nameserver")) {
                try {
                    servers.add(InetAddress.ofLiteral(f[1]));
                } catch (IllegalArgumentException e) {
                    // Not an address literal: resolv.conf allows only those, so the line is ignored as libc does.
                }
            } else if (f[0].equals("search") && search == null) {
                search = new ArrayList<>();
                for (int i = 1; i < f.length; i++) {
                    if (isValidDomain(f[i])) {
                        search.add(f[i]);
                    }
                }
            }
        }
        return new ResolvConf(servers, search == null ? List.of() : search);
    }

    private static int indexOfComment(String line) {
        int hash = line.indexOf('#');
        int semi = line.indexOf(';');
        return hash < 0 ? semi : semi < 0 ? hash : Math.min(hash, semi);
    }

    private static boolean isValidDomain(String d) {
        if (d.equals(".")) {
            return false;
        }
        try {
            DnsName.encode(d);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public List<InetSocketAddress> nameserverAddresses() {
        return nameservers.stream().map(a -> new InetSocketAddress(a, DNS_PORT)).toList();
    }
}
