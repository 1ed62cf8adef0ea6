package io.gvproxy.cli.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gvproxy.core.dns.Zone;
import io.gvproxy.core.dns.ZoneRecord;
import io.gvproxy.core.dns.ZoneTable;
import io.gvproxy.core.net.Ipv4;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZoneJsonTest {
    private static Zone decode(String json) throws ZoneJson.DecodeException {
        return ZoneJson.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(ZoneJson.DecodeException.class, () -> decode(json)).getMessage();
    }

    @Test
    void defaultsAreWrittenAsUpstreamWritesThem() {
        ZoneTable t = ZoneTable.defaults(Ipv4.parse("192.168.127.1"), Ipv4.parse("192.168.127.254"));
        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"},{\"Name\":\"docker.internal.\","
                + "\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},{\"Name\":\"host\","
                + "\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"}]\n", ZoneJson.encode(t.zones()));
        assertEquals("[]\n", ZoneJson.encode(List.of()));
    }

    @Test
    void regexpIsWrittenOnlyWhenSetAndHtmlCharactersAreEscapedAsGoDoes() {
        Zone z = new Zone("a.", List.of(ZoneRecord.matching("^x<y>&\\.", Ipv4.parse("10.0.0.1"))),
                OptionalInt.of(Ipv4.parse("10.0.0.2")));
        assertEquals("[{\"Name\":\"a.\",\"Records\":[{\"Name\":\"\",\"IP\":\"10.0.0.1\",\"Regexp\":"
                + "\"^x\\u003cy\\u003e\\u0026\\\\.\"}],\"DefaultIP\":\"10.0.0.2\"}]\n", ZoneJson.encode(List.of(z)));
        assertEquals("[{\"Name\":\"b.\",\"Records\":null,\"DefaultIP\":\"\"}]\n",
                ZoneJson.encode(List.of(new Zone("b.", List.of(), OptionalInt.empty()))));
    }

    @Test
    void readsUpstreamShapeWithCaseInsensitiveNamesAndIgnoresUnknownFields() throws Exception {
        Zone z = decode("{\"name\":\"test.internal.\",\"RECORDS\":[{\"Name\":\"web\",\"ip\":\"192.168.127.50\"},"
                + "{\"Regexp\":\"^api-\",\"IP\":\"192.168.127.51\",\"extra\":[1]}],\"defaultip\":\"192.168.127.52\","
                + "\"Other\":{}}");
        assertEquals("test.internal.", z.name());
        assertEquals(2, z.records().size());
        assertEquals("web", z.records().get(0).name());
        assertEquals(Ipv4.parse("192.168.127.50"), z.records().get(0).ip());
        assertNull(z.records().get(0).regexp());
        assertEquals("^api-", z.records().get(1).regexp().pattern());
        assertEquals(OptionalInt.of(Ipv4.parse("192.168.127.52")), z.defaultIp());
    }

    @Test
    void nullsEmptyAddressesAndDuplicatesFollowGo() throws Exception {
        Zone z = decode("{\"Name\":\"a.\",\"Name\":null,\"Records\":[{\"Name\":\"x\",\"IP\":\"1.2.3.4\"}],"
                + "\"Records\":null,\"DefaultIP\":\"1.1.1.1\",\"DefaultIP\":\"\"}");
        assertEquals("a.", z.name());
        assertEquals(List.of(), z.records());
        assertEquals(OptionalInt.empty(), z.defaultIp());
        assertEquals(Ipv4.parse("1.2.3.4"), decode("{\"Name\":\"b\",\"Records\":[{\"IP\":\"::ffff:1.2.3.4\"}]}")
                .records().getFirst().ip());
        assertEquals("b.", decode("{\"Name\":\"b\"}").name(), "our zones are always FQDNs");
    }

    /** Go's decode errors for types.Zone ('|' separates body and message). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[]|json: cannot unmarshal array into Go value of type types.Zone",
        "\"x\"|json: cannot unmarshal string into Go value of type types.Zone",
        "12|json: cannot unmarshal number into Go value of type types.Zone",
        "{\"Name\":1}|json: cannot unmarshal number into Go struct field Zone.Name of type string",
        "{\"Records\":{}}|json: cannot unmarshal object into Go struct field Zone.Records of type []types.Record",
        "{\"Records\":[\"x\"]}|json: cannot unmarshal string into Go struct field Zone.Records of type types.Record",
        "{\"Records\":[{\"Name\":true}]}|json: cannot unmarshal bool into Go struct field Record.Records.Name of type string",
        "{\"Records\":[{\"IP\":5}]}|json: cannot unmarshal number into Go struct field Record.Records.IP of type net.IP",
        "{\"Records\":[{\"Regexp\":[]}]}|json: cannot unmarshal array into Go struct field Record.Records.Regexp of type *regexp.Regexp",
        "{\"DefaultIP\":false}|json: cannot unmarshal bool into Go struct field Zone.DefaultIP of type net.IP",
        "{\"DefaultIP\":\"1.2.3\"}|invalid IP address: 1.2.3",
        "{\"DefaultIP\":\"192.168.001.1\"}|invalid IP address: 192.168.001.1",
        "{\"Records\":[{\"IP\":\"example.com\"}]}|invalid IP address: example.com",
        "{\"Records\":[{\"Regexp\":\"[a-\"}]}|error parsing regexp: missing closing ]: `[a-`",
        "{\"Records\":[{\"IP\":\"x\"}],\"Name\":7}|invalid IP address: x",
        "{\"Name\":7,\"Records\":[{\"IP\":\"x\"}]}|json: cannot unmarshal number into Go struct field Zone.Name of type string",
        "{\"Name\":7,|unexpected EOF",
    })
    void goDecodeErrorsFirstOneWins(String body, String message) {
        assertEquals(message, error(body), body);
    }

    @Test
    void ipv6AndBadNamesAreRefusedWithAReason() {
        assertEquals("invalid IP address: fd00::1 (local zones answer A queries only, so the address must be IPv4)",
                error("{\"Name\":\"a.\",\"DefaultIP\":\"fd00::1\"}"));
        String longLabel = "x".repeat(64);
        String m = error("{\"Name\":\"" + longLabel + ".\"}");
        assertEquals(true, m.startsWith("invalid zone name " + longLabel + ".: "), m);
    }
}
