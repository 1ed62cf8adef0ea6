package io.gvproxy.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gvproxy.core.net.Ipv4;
import io.gvproxy.core.net.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class ConfigFileReaderTest {
    @Test
    void upstreamExampleIsReadIntoTypedFields() throws Exception {
        ConfigFile c = ConfigFileReader.parse(YamlSubsetParserTest.upstreamExample());
        assertEquals(Optional.of("info"), c.logLevel());
        assertEquals(1500, c.stack().mtu());
        assertEquals(Optional.of("192.168.127.0/24"), c.stack().subnet());
        assertEquals(Optional.of(MacAddress.parse("5a:94:ef:e4:0c:dd")), c.stack().gatewayMacAddress());
        assertEquals(Optional.of(Map.of(Ipv4.parse("192.168.127.254"), Ipv4.parse("127.0.0.1"))), c.stack().nat());
        assertEquals(Optional.of(List.of(Ipv4.parse("192.168.127.254"))), c.stack().gatewayVirtualIps());
        assertEquals(Optional.of(Map.of("127.0.0.1:2222", "192.168.127.2:22")), c.stack().forwards());
        assertEquals(2, c.stack().dns().orElseThrow().size());
        assertEquals(List.of(), c.warnings());
        assertEquals(5, c.keyLines().get("stack.mtu"));
    }

    @Test
    void booleansAndIntegersAsYamlV3ReadThemIntoTypedFields() throws Exception {
        assertTrue(ConfigFileReader.parse("stack:\n  debug: yes\n").stack().debug());
        assertTrue(ConfigFileReader.parse("stack:\n  debug: True\n").stack().debug());
        assertEquals(1280, ConfigFileReader.parse("stack:\n  mtu: 0x500\n").stack().mtu());
        assertEquals(0, ConfigFileReader.parse("stack:\n  mtu:\n").stack().mtu());
        YamlException e = assertThrows(YamlException.class, () -> ConfigFileReader.parse("stack:\n  debug: maybe\n"));
        assertEquals(2, e.line());
        assertEquals("stack.debug: \"maybe\" is not a boolean (true or false)", e.getMessage());
    }

    @Test
    void badZoneRegexpNamesItsLine() {
        YamlException e = assertThrows(YamlException.class, () -> ConfigFileReader.parse(
                "stack:\n  dns:\n    - name: a.internal\n      records:\n        - regexp: '('\n          ip: 10.0.0.1\n"));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().startsWith("stack.dns[0].records[0].regexp: not a regular expression"),
                e.getMessage());
    }

    /**
     * Random documents over the schema's keys with values of random shapes and texts: the reader returns a
     * ConfigFile or throws YamlException, never anything else.
     */
    @RepeatedTest(300)
    void randomSchemaDocumentsFailOnlyWithYamlException(RepetitionInfo info) {
        long seed = 0xC0F1_0000L + info.getCurrentRepetition();
        Random r = new Random(seed);
        String[] top = {"listen", "log-level", "stack", "interfaces", "forwards", "pid-file", "notification",
                "ec2-metadata-access"};
        String[] stack = {"debug", "mtu", "subnet", "gatewayIP", "gatewayMacAddress", "dns", "dnsSearchDomains",
                "forwards", "nat", "gatewayVirtualIPs", "dhcpStaticLeases", "vpnKitUUIDMacAddresses", "capture-file"};
        String[] zone = {"name", "records", "defaultIP"};
        String[] record = {"name", "ip", "regexp"};
        StringBuilder b = new StringBuilder();
        for (String k : top) {
            if (r.nextInt(3) == 0) {
                continue;
            }
            b.append(k).append(':');
            if (k.equals("stack")) {
                b.append('\n');
                for (String s : stack) {
                    if (r.nextBoolean()) {
                        b.append("  ").append(s).append(':');
                        if (s.equals("dns") && r.nextBoolean()) {
                            b.append("\n    - ").append(zone[r.nextInt(zone.length)]).append(": ").append(value(r))
                                    .append("\n      records:\n        - ").append(record[r.nextInt(record.length)])
                                    .append(": ").append(value(r)).append("\n          ")
                                    .append(record[r.nextInt(record.length)]).append(": ").append(value(r))
                                    .append('\n');
                        } else {
                            b.append(' ').append(value(r)).append('\n');
                        }
                    }
                }
            } else {
                b.append(' ').append(value(r)).append('\n');
            }
        }
        try {
            ConfigFileReader.parse(b.toString());
        } catch (YamlException e) {
            assertTrue(!e.getMessage().isEmpty() && !e.getMessage().contains("\n"), "seed " + seed);
        } catch (RuntimeException | StackOverflowError e) {
            fail("seed " + seed + ": " + e + " for:\n" + b, e);
        }
    }

    private static String value(Random r) {
        String[] scalars = {"", "1500", "-1", "0x", "99999999999999", "true", "on", "x", "10.0.0.1", "10.0.0.0/8",
                "300.1.1.1", "5a:94:ef:e4:0c:ee", "zz:zz", "'('", "\"a\\tb\"", "..", "-.-", "~", "null", "[]", "{}",
                "[a, b]", "{a: 1}", "[10.0.0.1, x]", "{10.0.0.1: 5a:94:ef:e4:0c:ee}", "{a: [b]}", "\"\\u0000\""};
        return scalars[r.nextInt(scalars.length)];
    }
}
