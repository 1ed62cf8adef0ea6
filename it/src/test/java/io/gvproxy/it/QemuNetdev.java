package io.gvproxy.it;

import java.nio.file.Path;

/** How a QEMU guest's NIC reaches gvproxy: the QEMU -netdev value and the matching -listen-qemu URL. */
sealed interface QemuNetdev {
    /** The value of QEMU's {@code -netdev} option, with id n0. */
    String qemuNetdev();

    /** The value of gvproxy's {@code -listen-qemu} flag that this netdev connects to. */
    String gvproxyListenQemu();

    static QemuNetdev unixStream(Path socket) {
        return new UnixStream(socket);
    }

    static QemuNetdev tcpSocket(int port) {
        return new TcpSocket(port);
    }

    /** QEMU 7.2+ {@code -netdev stream} to a unix socket: 4-byte big-endian length framing. */
    record UnixStream(Path socket) implements QemuNetdev {
        @Override
        public String qemuNetdev() {
            return "stream,id=n0,server=off,addr.type=unix,addr.path=" + socket;
        }

        @Override
        public String gvproxyListenQemu() {
            return "unix://" + socket;
        }
    }

    /** The older {@code -netdev socket,connect=} over loopback TCP: the same framing. */
    record TcpSocket(int port) implements QemuNetdev {
        @Override
        public String qemuNetdev() {
            return "socket,id=n0,connect=127.0.0.1:" + port;
        }

        @Override
        public String gvproxyListenQemu() {
            return "tcp://127.0.0.1:" + port;
        }
    }
}
