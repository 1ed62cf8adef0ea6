package io.gvproxy.cli.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gvproxy.cli.http.api.GoJsonParser.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoJsonParserTest {
    private static Object parse(String s) throws GoJsonParser.SyntaxException {
        return GoJsonParser.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String s) {
        return assertThrows(GoJsonParser.SyntaxException.class, () -> parse(s)).getMessage();
    }

    /** Messages of Go's json.Decoder.Decode for these bodies ('|' separates input and message). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``|EOF",
        "` \r\n\t`|EOF",
        "{|unexpected EOF",
        "{\"Name\":\"a|unexpected EOF",
        "[1,|unexpected EOF",
        "tr|unexpected EOF",
        "x|invalid character 'x' looking for beginning of value",
        "{x|invalid character 'x' looking for beginning of object key string",
        "{'a':1}|invalid character '\\'' looking for beginning of object key string",
        "{\"a\":1,}|invalid character '}' looking for beginning of object key string",
        "{\"a\" 1}|invalid character '1' after object key",
        "{\"a\":1 2}|invalid character '2' after object key:value pair",
        "{\"a\":\"b\"\"c\"}|invalid character '\"' after object key:value pair",
        "[1 2]|invalid character '2' after array element",
        "[1,]|invalid character ']' looking for beginning of value",
        "{\"a\":tru}|invalid character '}' in literal true (expecting 'e')",
        "{\"a\":nul}|invalid character '}' in literal null (expecting 'l')",
        "{\"a\":fx}|invalid character 'x' in literal false (expecting 'a')",
        "{\"a\":-x}|invalid character 'x' in numeric literal",
        "{\"a\":1.}|invalid character '}' after decimal point in numeric literal",
        "{\"a\":1e}|invalid character '}' in exponent of numeric literal",
        "{\"a\":01}|invalid character '1' after object key:value pair",
        "{\"a\":\"\\q\"}|invalid character 'q' in string escape code",
        "{\"a\":\"\\u12x4\"}|invalid character 'x' in \\u hexadecimal character escape",
    })
    void goSyntaxErrors(String body, String message) {
        assertEquals(message, error(body), body);
    }

    @Test
    void controlCharactersAreQuotedAsGoQuotesThem() {
        assertEquals("invalid character '\\n' in string literal", error("{\"a\":\"x\ny\"}"));
        assertEquals("invalid character '\\x01' looking for beginning of value", error("\u0001"));
        assertEquals("invalid character '\\\\' looking for beginning of value", error("\\"));
        // Go quotes a byte as the rune of the same value.
        assertEquals("invalid character 'Ã' looking for beginning of value", assertThrows(
                GoJsonParser.SyntaxException.class, () -> GoJsonParser.parse(new byte[] {(byte) 0xc3})).getMessage());
        assertEquals("invalid character '\\u0080' looking for beginning of value", assertThrows(
                GoJsonParser.SyntaxException.class, () -> GoJsonParser.parse(new byte[] {(byte) 0x80})).getMessage());
    }

    @Test
    void nestingDeeperThanGosLimitIsRefused() {
        assertEquals("exceeded max depth", error("[".repeat(GoJsonParser.MAX_DEPTH + 1)));
        assertEquals("unexpected EOF", error("[".repeat(GoJsonParser.MAX_DEPTH)));
    }

    @Test
    void valuesAndEscapes() throws Exception {
        JsonObject o = (JsonObject) parse(" {\"a\":\"x\\u00e9\\ud83d\\ude00\\n\\/\",\"b\":[1,-2.5e+3,true,null],"
                + "\"a\":{}} trailing garbage is never read");
        assertEquals(3, o.members().size());
        assertEquals("xé😀\n/", o.members().get(0).value());
        assertEquals(List.of(new GoJsonParser.JsonNumber("1"), new GoJsonParser.JsonNumber("-2.5e+3"), true,
                GoJsonParser.Null.NULL), o.members().get(1).value());
        assertEquals(new JsonObject(List.of()), o.members().get(2).value());
    }

    @Test
    void invalidUtf8BecomesReplacementCharacter() throws Exception {
        byte[] body = {'"', 'a', (byte) 0xff, 'b', '"'};
        assertEquals("a\ufffdb", GoJsonParser.parse(body));
    }

    /** Nothing but a SyntaxException leaves the parser, whatever the bytes. */
    @RepeatedTest(200)
    void randomBytesNeverEscapeAsUncheckedExceptions(RepetitionInfo info) {
        long seed = 0x5eed_0000L + info.getCurrentRepetition();
        Random r = new Random(seed);
        String alphabet = "{}[]:,\"\\ utrefalsn0123456789.-+eE\u0001x";
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        try {
            parse(b.toString());
        } catch (GoJsonParser.SyntaxException e) {
            assertTrue(e.getMessage().equals("EOF") || e.getMessage().equals("unexpected EOF")
                    || e.getMessage().startsWith("invalid character '"), "seed " + seed + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + " input " + b, e);
        }
    }
}
