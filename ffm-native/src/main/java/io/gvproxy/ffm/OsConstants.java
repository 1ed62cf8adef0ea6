package io.gvproxy.ffm;

/**
 * The numeric ABI constants that differ between the supported systems. A value of {@code -1} means the
 * system has no such thing (AF_VSOCK on macOS); {@code 0} for a flag means the flag does not exist and the
 * code falls back (SOCK_CLOEXEC on macOS is replaced by fcntl FD_CLOEXEC).
 */
public record OsConstants(
        int afUnix, int afInet, int afVsock,
        int sockStream, int sockDgram, int sockSeqpacket, int sockCloexec, int sockNonblock,
        int msgPeek, int msgTrunc, int msgDontwait, int msgNosignal,
        int solSocket, int soSndbuf, int soRcvbuf, int soError,
        int shutRdwr,
        int eintr, int eio, int einval, int eagain, int enoent, int epipe, int emsgsize, int enobufs, int econnrefused,
        int eisconn, int ealready, int einprogress) {

    public static final OsConstants LINUX = new OsConstants(
            1, 2, 40,
            1, 2, 5, 0x80000, 0x800,
            0x2, 0x20, 0x40, 0x4000,
            1, 7, 8, 4,
            2,
            4, 5, 22, 11, 2, 32, 90, 105, 111,
            106, 114, 115);

    /** From the macOS SDK headers (sys/socket.h, sys/errno.h); not exercised on a Mac here. */
    public static final OsConstants MACOS = new OsConstants(
            1, 2, -1,
            1, 2, 5, 0, 0,
            0x2, 0x10, 0x80, 0,
            0xffff, 0x1001, 0x1002, 0x1007,
            2,
            4, 5, 22, 35, 2, 32, 40, 55, 61,
            56, 37, 36);

    public static OsConstants of(Os os) {
        return switch (os) {
            case LINUX -> LINUX;
            case MACOS -> MACOS;
        };
    }

    /** Linux-only constants: poll, fcntl, tun/tap and interface ioctls, eventfd. */
    public static final class Linux {
        public static final int O_RDWR = 2;
        public static final int O_NONBLOCK = 0x800;
        public static final int O_CLOEXEC = 0x80000;
        public static final int EFD_CLOEXEC = 0x80000;
        public static final int EFD_NONBLOCK = 0x800;
        public static final long TUNSETIFF = 0x400454caL;
        public static final short IFF_TAP = 0x0002;
        public static final short IFF_NO_PI = 0x1000;
        public static final short IFF_UP = 0x1;
        public static final long SIOCGIFFLAGS = 0x8913;
        public static final long SIOCSIFFLAGS = 0x8914;
        public static final long SIOCGIFMTU = 0x8921;
        public static final long SIOCSIFMTU = 0x8922;
        public static final long SIOCSIFHWADDR = 0x8924;
        public static final long SIOCGIFHWADDR = 0x8927;
        public static final short ARPHRD_ETHER = 1;
        public static final long IOCTL_VM_SOCKETS_GET_LOCAL_CID = 0x7b9;

        private Linux() {
        }
    }

    /** Values shared by Linux and macOS. */
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;
    public static final int SHUT_WR = 1;
    public static final int F_SETFD = 2;
    public static final int FD_CLOEXEC = 1;
}
