package io.gvproxy.cli.config;

import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneRecord;
import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a {@code -config} file into a {@link ConfigFile} the way upstream's yaml.v3 decoding into typed fields
 * does: a scalar may be given for a string, {@code true/false} (also {@code yes/no/on/off}) for a bool, a
 * decimal, {@code 0x} or {@code 0o} integer for an int; an empty value or {@code null} leaves the field unset.
 * Keys outside the schema are ignored with a warning, as upstream ignores them (silently).
 */
public final class ConfigFileReader {
    private static final Set<String> TOP = Set.of("listen", "log-level", "stack", "interfaces", "forwards",
            "pid-file", "log-file", "services", "ec2-metadata-access", "notification");
    private static final Set<String> STACK = Set.of("debug", "capture-file", "mtu", "subnet", "gatewayIP",
            "deviceIP", "hostIP", "gatewayMacAddress", "dns", "dnsSearchDomains", "forwards", "nat",
            "gatewayVirtualIPs", "dhcpStaticLeases", "vpnKitUUIDMacAddresses", "ec2MetadataAccess");
    private static final Set<String> INTERFACES = Set.of("vpnkit", "qemu", "bess", "stdio", "vfkit");
    private static final Set<String> SSH_FORWARD = Set.of("socket", "dest", "user", "identity");
    private static final Set<String> ZONE = Set.of("name", "records", "defaultIP");
    private static final Set<String> RECORD = Set.of("name", "ip", "regexp");

    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Integer> keyLines = new HashMap<>();

    private ConfigFileReader() {
    }

    /** Reads and checks the file; the exception's line is 0 for a problem with the file as a whole. */
    public static ConfigFile read(Path file) throws YamlException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(YamlSubsetParser.MAX_BYTES + 1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new YamlException(0, "no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new YamlException(0, "permission denied");
        } catch (IOException e) {
            throw new YamlException(0, "cannot read it: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        }
        if (bytes.length > YamlSubsetParser.MAX_BYTES) {
            throw new YamlException(0, "file is larger than " + YamlSubsetParser.MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new YamlException(0, "not UTF-8 text");
        }
        return parse(text);
    }

    public static ConfigFile parse(String text) throws YamlException {
        return new ConfigFileReader().config(YamlSubsetParser.parse(text));
    }

    private ConfigFile config(YamlNode root) throws YamlException {
        Map<String, YamlNode.Entry> top = root instanceof YamlNode.Scalar s && s.isNull() ? Map.of()
                : mapping("the file", root);
        known("", top, TOP);
        Optional<List<String>> listen = optionalList(top, "listen", "listen");
        Optional<String> logLevel = string(top, "log-level", "log-level");
        ConfigFile.Stack stack = stack(map(top, "stack", "stack"));
        Map<String, YamlNode.Entry> ifs = map(top, "interfaces", "interfaces");
        known("interfaces.", ifs, INTERFACES);
        ConfigFile.Interfaces interfaces = new ConfigFile.Interfaces(string(ifs, "vpnkit", "interfaces.vpnkit"),
                string(ifs, "qemu", "interfaces.qemu"), string(ifs, "bess", "interfaces.bess"),
                string(ifs, "stdio", "interfaces.stdio"), string(ifs, "vfkit", "interfaces.vfkit"));
        List<ConfigFile.SshForwardEntry> forwards = new ArrayList<>();
        YamlNode.Entry fw = top.get("forwards");
        if (fw != null) {
            int i = 0;
            for (YamlNode item : list("forwards", fw.value())) {
                String path = "forwards[" + i++ + "]";
                Map<String, YamlNode.Entry> m = mapping(path, item);
                known(path + ".", m, SSH_FORWARD);
                forwards.add(new ConfigFile.SshForwardEntry(string(m, "socket", path + ".socket").orElse(""),
                        string(m, "dest", path + ".dest").orElse(""), string(m, "user", path + ".user").orElse(""),
                        string(m, "identity", path + ".identity").orElse("")));
            }
        }
        return new ConfigFile(listen, logLevel, stack, interfaces, forwards, string(top, "pid-file", "pid-file"),
                string(top, "log-file", "log-file"), string(top, "services", "services"),
                bool(top, "ec2-metadata-access", "ec2-metadata-access"), string(top, "notification", "notification"),
                warnings, keyLines);
    }

    private ConfigFile.Stack stack(Map<String, YamlNode.Entry> m) throws YamlException {
        known("stack.", m, STACK);
        long mtu = integer(m, "mtu", "stack.mtu");
        if (mtu < 0 || mtu > Integer.MAX_VALUE) {
            throw new YamlException(keyLines.get("stack.mtu"), "stack.mtu: " + mtu + " is out of range");
        }
        Optional<MacAddress> gatewayMac = string(m, "gatewayMacAddress", "stack.gatewayMacAddress")
                .isPresent() ? Optional.of(mac(m.get("gatewayMacAddress").value(), "stack.gatewayMacAddress"))
                : Optional.empty();
        Optional<List<Zone>> dns = Optional.empty();
        if (present(m, "dns")) {
            List<Zone> zones = new ArrayList<>();
            int i = 0;
            for (YamlNode z : list("stack.dns", m.get("dns").value())) {
                zones.add(zone("stack.dns[" + i++ + "]", z));
            }
            dns = Optional.of(zones);
        }
        Optional<Map<Integer, Integer>> nat = Optional.empty();
        if (present(m, "nat")) {
            Map<Integer, Integer> t = new LinkedHashMap<>();
            for (YamlNode.Entry e : mapping("stack.nat", m.get("nat").value()).values()) {
                t.put(ip(e.key(), e.keyLine(), "stack.nat key"), ip(scalar("stack.nat." + e.key(), e.value()),
                        e.value().line(), "stack.nat." + e.key()));
            }
            nat = Optional.of(t);
        }
        Optional<List<Integer>> virtualIps = Optional.empty();
        if (present(m, "gatewayVirtualIPs")) {
            List<Integer> ips = new ArrayList<>();
            for (YamlNode n : list("stack.gatewayVirtualIPs", m.get("gatewayVirtualIPs").value())) {
                ips.add(ip(scalar("stack.gatewayVirtualIPs", n), n.line(), "stack.gatewayVirtualIPs"));
            }
            virtualIps = Optional.of(ips);
        }
        Optional<Map<Integer, MacAddress>> leases = Optional.empty();
        if (present(m, "dhcpStaticLeases")) {
            Map<Integer, MacAddress> t = new LinkedHashMap<>();
            for (YamlNode.Entry e : mapping("stack.dhcpStaticLeases", m.get("dhcpStaticLeases").value()).values()) {
                t.put(ip(e.key(), e.keyLine(), "stack.dhcpStaticLeases key"),
                        mac(e.value(), "stack.dhcpStaticLeases." + e.key()));
            }
            leases = Optional.of(t);
        }
        Optional<Map<String, MacAddress>> uuids = Optional.empty();
        if (present(m, "vpnKitUUIDMacAddresses")) {
            Map<String, MacAddress> t = new LinkedHashMap<>();
            for (YamlNode.Entry e : mapping("stack.vpnKitUUIDMacAddresses", m.get("vpnKitUUIDMacAddresses").value())
                    .values()) {
                t.put(e.key(), mac(e.value(), "stack.vpnKitUUIDMacAddresses." + e.key()));
            }
            uuids = Optional.of(t);
        }
        Optional<Map<String, String>> forwards = Optional.empty();
        if (present(m, "forwards")) {
            Map<String, String> t = new LinkedHashMap<>();
            for (YamlNode.Entry e : mapping("stack.forwards", m.get("forwards").value()).values()) {
                t.put(e.key(), scalar("stack.forwards." + e.key(), e.value()));
            }
            forwards = Optional.of(t);
        }
        return new ConfigFile.Stack(bool(m, "debug", "stack.debug"), string(m, "capture-file", "stack.capture-file"),
                (int) mtu, string(m, "subnet", "stack.subnet"), string(m, "gatewayIP", "stack.gatewayIP"),
                string(m, "deviceIP", "stack.deviceIP"), string(m, "hostIP", "stack.hostIP"), gatewayMac, dns,
                optionalList(m, "dnsSearchDomains", "stack.dnsSearchDomains"), forwards, nat, virtualIps, leases,
                uuids, bool(m, "ec2MetadataAccess", "stack.ec2MetadataAccess"));
    }

    /** upstream's Zone {name, records, defaultIP}; Record {name, ip, regexp}. */
    private Zone zone(String path, YamlNode node) throws YamlException {
        Map<String, YamlNode.Entry> z = mapping(path, node);
        known(path + ".", z, ZONE);
        String name = string(z, "name", path + ".name").orElse("");
        List<ZoneRecord> records = new ArrayList<>();
        if (present(z, "records")) {
            int i = 0;
            for (YamlNode r : list(path + ".records", z.get("records").value())) {
                String rpath = path + ".records[" + i++ + "]";
                Map<String, YamlNode.Entry> rm = mapping(rpath, r);
                known(rpath + ".", rm, RECORD);
                YamlNode.Entry ipEntry = rm.get("ip");
                if (ipEntry == null || isNull(ipEntry.value())) {
                    throw new YamlException(r.line(), rpath + ": a record needs an ip");
                }
                int ip = ip(scalar(rpath + ".ip", ipEntry.value()), ipEntry.value().line(), rpath + ".ip");
                Optional<String> regexp = string(rm, "regexp", rpath + ".regexp");
                try {
                    records.add(regexp.isPresent() && !regexp.get().isEmpty()
                            ? new ZoneRecord(string(rm, "name", rpath + ".name").orElse(""), ip,
                            java.util.regex.Pattern.compile(regexp.get()))
                            : ZoneRecord.named(string(rm, "name", rpath + ".name").orElse(""), ip));
                } catch (PatternSyntaxException e) {
                    throw new YamlException(rm.get("regexp").value().line(), rpath + ".regexp: not a regular"
                            + " expression: " + e.getDescription());
                }
            }
        }
        OptionalInt defaultIp = OptionalInt.empty();
        Optional<String> d = string(z, "defaultIP", path + ".defaultIP");
        if (d.isPresent()) {
            defaultIp = OptionalInt.of(ip(d.get(), z.get("defaultIP").value().line(), path + ".defaultIP"));
        }
        try {
            return new Zone(name, records, defaultIp);
        } catch (IllegalArgumentException e) {
            throw new YamlException(node.line(), path + ".name: " + YamlSubsetParser.quote(name)
                    + " is not a domain name");
        }
    }

    private void known(String prefix, Map<String, YamlNode.Entry> m, Set<String> keys) {
        for (YamlNode.Entry e : m.values()) {
            keyLines.put(prefix + e.key(), e.keyLine());
            if (!keys.contains(e.key())) {
                warnings.add("line " + e.keyLine() + ": unknown key " + YamlSubsetParser.quote(prefix + e.key())
                        + " ignored");
            }
        }
    }

    private static boolean isNull(YamlNode n) {
        return n instanceof YamlNode.Scalar s && s.isNull();
    }

    private static boolean present(Map<String, YamlNode.Entry> m, String key) {
        YamlNode.Entry e = m.get(key);
        return e != null && !isNull(e.value());
    }

    private static Map<String, YamlNode.Entry> mapping(String path, YamlNode n) throws YamlException {
        if (n instanceof YamlNode.Mapping m) {
            return m.entries();
        }
        if (isNull(n)) {
            return Map.of();
        }
        throw new YamlException(n.line(), path + ": expected a mapping (key: value lines), found " + n.kind());
    }

    /** A key's mapping value; absent or empty is an empty map. */
    private static Map<String, YamlNode.Entry> map(Map<String, YamlNode.Entry> m, String key, String path)
            throws YamlException {
        YamlNode.Entry e = m.get(key);
        return e == null ? Map.of() : mapping(path, e.value());
    }

    private static List<YamlNode> list(String path, YamlNode n) throws YamlException {
        if (n instanceof YamlNode.Sequence s) {
            return s.items();
        }
        if (isNull(n)) {
            return List.of();
        }
        throw new YamlException(n.line(), path + ": expected a list (\"- item\" lines), found " + n.kind());
    }

    private static Optional<List<String>> optionalList(Map<String, YamlNode.Entry> m, String key, String path)
            throws YamlException {
        if (!present(m, key)) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (YamlNode n : list(path, m.get(key).value())) {
            out.add(scalar(path, n));
        }
        return Optional.of(out);
    }

    private static String scalar(String path, YamlNode n) throws YamlException {
        if (n instanceof YamlNode.Scalar s) {
            return s.isNull() ? "" : s.text();
        }
        throw new YamlException(n.line(), path + ": expected a single value, found " + n.kind());
    }

    private static Optional<String> string(Map<String, YamlNode.Entry> m, String key, String path)
            throws YamlException {
        YamlNode.Entry e = m.get(key);
        if (e == null || isNull(e.value())) {
            return Optional.empty();
        }
        return Optional.of(scalar(path, e.value()));
    }

    private static boolean bool(Map<String, YamlNode.Entry> m, String key, String path) throws YamlException {
        Optional<String> v = string(m, key, path);
        if (v.isEmpty()) {
            return false;
        }
        return switch (v.get()) {
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" -> true;
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" -> false;
            default -> throw new YamlException(m.get(key).value().line(), path + ": "
                    + YamlSubsetParser.quote(v.get()) + " is not a boolean (true or false)");
        };
    }

    private static long integer(Map<String, YamlNode.Entry> m, String key, String path) throws YamlException {
        Optional<String> v = string(m, key, path);
        if (v.isEmpty()) {
            return 0;
        }
        String t = v.get();
        boolean negative = t.startsWith("-");
        String digits = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        int radix = 10;
        if (digits.startsWith("0x")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.startsWith("0o")) {
            radix = 8;
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new YamlException(m.get(key).value().line(), path + ": " + YamlSubsetParser.quote(t)
                    + " is not an integer");
        }
        try {
            long n = Long.parseLong(digits, radix);
            return negative ? -n : n;
        } catch (NumberFormatException e) {
            throw new YamlException(m.get(key).value().line(), path + ": " + YamlSubsetParser.quote(t)
                    + " is not an integer");
        }
    }

    private static int ip(String text, int line, String path) throws YamlException {
        try {
            return Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            throw new YamlException(line, path + ": " + YamlSubsetParser.quote(text) + " is not an IPv4 address");
        }
    }

    private static MacAddress mac(YamlNode n, String path) throws YamlException {
        String text = scalar(path, n);
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new YamlException(n.line(), path + ": " + YamlSubsetParser.quote(text) + " is not a MAC address");
        }
    }
}
