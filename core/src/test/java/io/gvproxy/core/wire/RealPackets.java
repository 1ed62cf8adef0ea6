package io.gvproxy.core.wire;

/**
 * Frames captured from real stacks. The loopback captures (Linux 6.x, AF_PACKET on lo, zero MACs) carry
 * offloaded TCP/UDP checksums: the field holds only the pseudo-header sum (CHECKSUM_PARTIAL).
 */
final class RealPackets {
    /** Wireshark sample arp-storm.pcap: who-has 24.166.173.159 tell 24.166.172.1. */
    static final byte[] ARP_REQUEST = WireFuzz.hex(
            "ffffffffffff 00070daff454 0806 0001 0800 06 04 0001 00070daff454 18a6ac01 000000000000 18a6ad9f");

    /** Linux SYN 127.0.0.1:52474 -> :51529 with MSS 65495, SACK-permitted, timestamps, NOP, window scale 10. */
    static final byte[] TCP_SYN = WireFuzz.hex(
            "000000000000 000000000000 0800"
                    + "4500003c29cc4000400612ee7f0000017f000001"
                    + "ccfac9499828667b00000000a002ffd7fe300000"
                    + "0204ffd70402080ae5537df7000000000103030a");

    /** A DNS query for gateway.containers.internal A IN, 127.0.0.1:33709 -> :48701. */
    static final byte[] UDP_DNS_QUERY = WireFuzz.hex(
            "000000000000 000000000000 0800"
                    + "45000049d4384000401168697f0000017f000001"
                    + "83adbe3d0035fe48"
                    + "1a2b01000001000000000000"
                    + "07676174657761790a636f6e7461696e65727308696e7465726e616c0000010001");

    /** ICMP echo request id 1234 seq 1 with 40 bytes 0x10..0x37, and the kernel's reply to it. */
    static final byte[] ICMP_ECHO_REQUEST = WireFuzz.hex(
            "000000000000 000000000000 0800"
                    + "45000044a7db4000400194db7f0000017f000001"
                    + "0800345a04d20001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");
    static final byte[] ICMP_ECHO_REPLY = WireFuzz.hex(
            "000000000000 000000000000 0800"
                    + "45000044a7dc00004001d4da7f0000017f000001"
                    + "00003c5a04d20001101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");

    /** Hand-written, not captured: an ICMPv6 router solicitation fe80::5894:efff:fee4:cee to ff02::2 (ICMPv6 checksum not real). */
    static final byte[] IPV6_ROUTER_SOLICITATION = WireFuzz.hex(
            "333300000002 5a94efe40cee 86dd"
                    + "6000000000103aff fe800000000000005894effffee40cee ff020000000000000000000000000002"
                    + "85007d4d00000000 01015a94efe40cee");

    private RealPackets() {
    }

    /** The frame without its 14-byte Ethernet header. */
    static byte[] l3(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, 14, frame.length);
    }

    /** The IPv4 payload of a frame whose IPv4 header has no options. */
    static byte[] l4(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, 34, frame.length);
    }
}
