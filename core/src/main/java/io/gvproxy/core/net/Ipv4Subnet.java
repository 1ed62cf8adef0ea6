package io.gvproxy.core.net;

/** An IPv4 prefix such as 192.168.127.0/24; the address is normalised to the network address. */
public record Ipv4Subnet(int network, int prefixLength) {
    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("invalid prefix length: " + prefixLength);
        }
        network &= mask(prefixLength);
    }

    /** Parses CIDR notation, as Go's net.ParseCIDR does for IPv4. */
    public static Ipv4Subnet parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: " + cidr);
        }
        int len;
        String lenText = cidr.substring(slash + 1);
        if (lenText.isEmpty() || lenText.length() > 2 || !lenText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid CIDR address: " + cidr);
        }
        len = Integer.parseInt(lenText);
        if (len > 32) {
            throw new IllegalArgumentException("invalid CIDR address: " + cidr);
        }
        int addr;
        try {
            addr = Ipv4.parse(cidr.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + cidr);
        }
        return new Ipv4Subnet(addr, len);
    }

    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    public int broadcast() {
        return network | ~mask();
    }

    public boolean contains(int addr) {
        return (addr & mask()) == network;
    }

    /** The n-th address of the subnet (0 = network address). */
    public int addressAt(int n) {
        return network + n;
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return Ipv4.toString(network) + "/" + prefixLength;
    }
}
