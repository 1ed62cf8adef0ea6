package io.gvproxy.core.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as ints (network byte order read as a big-endian int), parsed without DNS. */
public final class Ipv4 {
    private Ipv4() {
    }

    /** Parses dotted-quad strictly (four decimal octets, no leading zeros beyond "0"). */
    public static int parse(String s) {
        String[] p = s.trim().split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("invalid IPv4 address: " + s);
        }
        int v = 0;
        for (String o : p) {
            if (o.isEmpty() || o.length() > 3 || (o.length() > 1 && o.charAt(0) == '0')) {
                throw new IllegalArgumentException("invalid IPv4 address: " + s);
            }
            int n;
            try {
                n = Integer.parseInt(o);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid IPv4 address: " + s);
            }
            if (n < 0 || n > 255) {
                throw new IllegalArgumentException("invalid IPv4 address: " + s);
            }
            v = (v << 8) | n;
        }
        return v;
    }

    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static String toString(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    public static InetAddress toInetAddress(int a) {
        byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static int fromInetAddress(InetAddress addr) {
        if (!(addr instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + addr);
        }
        byte[] b = addr.getAddress();
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }
}
