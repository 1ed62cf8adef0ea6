package io.gvproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;

/**
 * A listening socket, detected without connecting to it: a unix socket file that exists, or a
 * loopback TCP port in LISTEN state in /proc/net/tcp or tcp6 (Java may bind IPv4 addresses on a
 * dual-stack socket, which shows up in tcp6).
 */
sealed interface Listener {
    boolean isListening();

    static Listener of(QemuNetdev netdev) {
        return switch (netdev) {
            case QemuNetdev.UnixStream u -> new UnixSocket(u.socket());
            case QemuNetdev.TcpSocket t -> new TcpPort(t.port());
        };
    }

    record UnixSocket(Path path) implements Listener {
        @Override
        public boolean isListening() {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
            } catch (IOException e) {
                return false;
            }
        }
    }

    record TcpPort(int port) implements Listener {
        private static final String LISTEN_STATE = "0A";

        @Override
        public boolean isListening() {
            String suffix = String.format(Locale.ROOT, ":%04X", port);
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                try {
                    for (String line : Files.readAllLines(Path.of(table))) {
                        String[] fields = line.strip().split("\\s+");
                        if (fields.length > 3 && fields[1].endsWith(suffix) && fields[3].equals(LISTEN_STATE)) {
                            return true;
                        }
                    }
                } catch (IOException e) {
                    // tcp6 is absent when IPv6 is disabled; the other table still counts.
                }
            }
            return false;
        }
    }
}
