package io.gvproxy.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlSubsetParserTest {
    /** Plain Java values of a node: String (null scalar as null), List, Map. */
    static Object plain(YamlNode n) {
        return switch (n) {
            case YamlNode.Scalar s -> s.isNull() ? null : s.text();
            case YamlNode.Sequence s -> s.items().stream().map(YamlSubsetParserTest::plain).toList();
            case YamlNode.Mapping m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.entries().forEach((k, e) -> out.put(k, plain(e.value())));
                yield out;
            }
        };
    }

    private static Object parse(String text) throws YamlException {
        return plain(YamlSubsetParser.parse(text));
    }

    static String upstreamExample() throws IOException {
        try (InputStream in = YamlSubsetParserTest.class.getResourceAsStream("/config/upstream-config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void blockMappingsListsAndScalars() throws YamlException {
        Object v = parse("""
                # comment
                a: 1   # trailing comment
                b:
                  c: "x # not a comment"
                  d: 'it''s'
                list:
                - one
                -   two
                - k: v
                  k2: v2
                -
                  - nested
                mac: 5a:94:ef:e4:0c:dd
                127.0.0.1:2222: 192.168.127.2:22
                empty:
                flow: [a, "b, c", {}]
                map: {x: 1, y: [2]}
                """);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", "1");
        expected.put("b", Map.of("c", "x # not a comment", "d", "it's"));
        expected.put("list", List.of("one", "two", Map.of("k", "v", "k2", "v2"), List.of("nested")));
        expected.put("mac", "5a:94:ef:e4:0c:dd");
        expected.put("127.0.0.1:2222", "192.168.127.2:22");
        expected.put("empty", null);
        expected.put("flow", List.of("a", "b, c", Map.of()));
        expected.put("map", Map.of("x", "1", "y", List.of("2")));
        assertEquals(expected, v);
    }

    @Test
    void upstreamExampleParses() throws Exception {
        Object v = parse(upstreamExample());
        @SuppressWarnings("unchecked")
        Map<String, Object> stack = (Map<String, Object>) ((Map<String, Object>) v).get("stack");
        assertEquals(Map.of("127.0.0.1:2222", "192.168.127.2:22"), stack.get("forwards"));
        assertEquals(List.of(Map.of("name", "containers.internal.", "records",
                        List.of(Map.of("name", "gateway", "ip", "192.168.127.1"),
                                Map.of("name", "host", "ip", "192.168.127.254"))),
                Map.of("name", "docker.internal.", "records",
                        List.of(Map.of("name", "gateway", "ip", "192.168.127.1"),
                                Map.of("name", "host", "ip", "192.168.127.254")))), stack.get("dns"));
    }

    @Test
    void doubleQuotedEscapes() throws YamlException {
        assertEquals(Map.of("k", "a\"b\\c\n\u00e9\t/"), parse("k: \"a\\\"b\\\\c\\n\\u00e9\\t\\/\""));
    }

    @Test
    void emptyDocumentAndDocumentMarkers() throws YamlException {
        assertEquals(null, parse(""));
        assertEquals(null, parse("# only a comment\n\n"));
        assertEquals(Map.of("a", "b"), parse("---\na: b\n...\n"));
        assertEquals(Map.of("a", "b"), parse("a: b\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", value = {
            "a: b\\n  c: d=>2=>unexpected indentation",
            "a:\\n    b: 1\\n  c: 2=>3=>bad indentation",
            "a: b\\na: c=>2=>key \"a\" is already defined on line 1",
            "a: &x b=>1=>anchors",
            "a: *x=>1=>aliases",
            "a: !!str b=>1=>tags",
            "a: |\\n  text=>1=>block scalars",
            "a: \"open=>1=>not closed",
            "a: b: c=>1=>unexpected \": \"",
            "a: [b, c=>1=>expected \",\" or \"]\"",
            "a:\\n\\t- b=>2=>tab in indentation",
            "a: b\\n---\\nc: d=>2=>several documents",
            "a: - b=>1=>a list cannot start on the line of its key",
            "a:\\n  - b\\n  c: d=>3=>bad indentation",
            "? a\\n: b=>1=>complex keys",
            "a: \"\\q\"=>1=>unknown escape",
    })
    void errorsNameTheLine(String text, int line, String message) {
        YamlException e = assertThrows(YamlException.class, () -> YamlSubsetParser.parse(text.replace("\\n", "\n")
                .replace("\\t", "\t")));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void nestingIsBounded() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            deep.append(" ".repeat(i)).append("k:\n");
        }
        YamlException e = assertThrows(YamlException.class, () -> YamlSubsetParser.parse(deep.toString()));
        assertTrue(e.getMessage().contains("nested more than"), e.getMessage());
        String flow = "a: " + "[".repeat(100) + "]".repeat(100);
        assertThrows(YamlException.class, () -> YamlSubsetParser.parse(flow));
    }

    @Test
    void sizeIsBounded() {
        String big = "a: " + "x".repeat(YamlSubsetParser.MAX_BYTES);
        assertThrows(YamlException.class, () -> YamlSubsetParser.parse(big));
    }

    /**
     * Random edits of upstream's example (characters YAML gives meaning to, deletions, line swaps): the parser
     * either returns a tree or throws YamlException with a line inside the file; nothing else escapes.
     */
    @RepeatedTest(300)
    void fuzzedUpstreamExampleFailsOnlyWithYamlException(RepetitionInfo info) throws IOException {
        long seed = 0x9A3F_0000L + info.getCurrentRepetition();
        Random rnd = new Random(seed);
        String base = upstreamExample();
        StringBuilder b = new StringBuilder(base);
        String alphabet = " \t\n\r:-#'\"[]{},&*!|>?%@`\\~0a.\u00e9\u0000";
        int edits = 1 + rnd.nextInt(8);
        for (int i = 0; i < edits; i++) {
            int at = rnd.nextInt(b.length() + 1);
            switch (rnd.nextInt(4)) {
                case 0 -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                case 1 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < b.length()) {
                        b.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    }
                }
                default -> b.insert(at, " ".repeat(rnd.nextInt(6)));
            }
        }
        String text = b.toString();
        int lines = text.split("\n", -1).length;
        try {
            YamlSubsetParser.parse(text);
            ConfigFileReader.parse(text);
        } catch (YamlException e) {
            assertTrue(e.line() >= 0 && e.line() <= lines, "seed " + seed + ": line " + e.line() + " of " + lines);
            assertTrue(!e.getMessage().isEmpty() && !e.getMessage().contains("\n"), "seed " + seed + ": "
                    + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            fail("seed " + seed + ": " + e + " for input:\n" + text, e);
        }
    }

    /** Random trees written as block YAML (with random flow and quoting choices) read back unchanged. */
    @RepeatedTest(200)
    void randomTreesRoundTrip(RepetitionInfo info) throws YamlException {
        long seed = 0x51DE_0000L + info.getCurrentRepetition();
        Random rnd = new Random(seed);
        Map<String, Object> tree = randomMap(rnd, 0);
        StringBuilder out = new StringBuilder();
        writeMap(out, tree, 0, rnd);
        try {
            assertEquals(tree, parse(out.toString()), "seed " + seed + ":\n" + out);
        } catch (YamlException e) {
            fail("seed " + seed + ": line " + e.line() + ": " + e.getMessage() + "\n" + out);
        }
    }

    private static Map<String, Object> randomMap(Random rnd, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            m.put(randomText(rnd, true) + i, randomValue(rnd, depth + 1));
        }
        return m;
    }

    private static Object randomValue(Random rnd, int depth) {
        int kind = depth > 3 ? 0 : rnd.nextInt(4);
        if (kind == 1) {
            return randomMap(rnd, depth);
        }
        if (kind == 2) {
            List<Object> l = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                l.add(randomValue(rnd, depth + 1));
            }
            return l;
        }
        return randomText(rnd, false);
    }

    private static String randomText(Random rnd, boolean key) {
        String[] words = {"gateway", "192.168.127.1", "5a:94:ef:e4:0c:dd", "udp:127.0.0.1:53", "a b", "x#y",
                "it's", "q\"uote", "c3d68012-0208-11ea-9fd7-f2189899ab08", "\u00e9t\u00e9", "10.0.0.0/16"};
        String w = words[rnd.nextInt(words.length)];
        return key ? w.replace(":", "_") : w;
    }

    private static void writeMap(StringBuilder out, Map<String, Object> m, int indent, Random rnd) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            out.append(" ".repeat(indent)).append(scalar(e.getKey(), rnd)).append(':');
            writeValue(out, e.getValue(), indent, rnd, true);
        }
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(StringBuilder out, Object v, int indent, Random rnd, boolean mapValue) {
        if (v instanceof String s) {
            out.append(' ').append(scalar(s, rnd)).append(rnd.nextBoolean() ? "  # c\n" : "\n");
        } else if (v instanceof Map<?, ?> m) {
            out.append('\n');
            writeMap(out, (Map<String, Object>) m, indent + 2 + rnd.nextInt(3), rnd);
        } else {
            out.append('\n');
            // YAML lets a mapping's list start at the key's own indentation, but not a list's list.
            int at = indent + (mapValue && rnd.nextBoolean() ? 0 : 2);
            for (Object item : (List<Object>) v) {
                out.append(" ".repeat(at)).append('-');
                if (item instanceof String s) {
                    out.append(' ').append(scalar(s, rnd)).append('\n');
                } else if (item instanceof Map<?, ?> im && rnd.nextBoolean()) {
                    // compact form: the first key on the dash line
                    StringBuilder inner = new StringBuilder();
                    writeMap(inner, (Map<String, Object>) im, at + 2, rnd);
                    out.append(inner.substring(at + 1));
                } else {
                    writeValue(out, item, at, rnd, false);
                }
            }
        }
    }

    /** Plain when YAML reads it back as the same text, else single- or double-quoted. */
    private static String scalar(String s, Random rnd) {
        boolean plainOk = !s.contains("#") && !s.contains("\"") && !s.startsWith("'") && !s.contains(": ");
        int style = rnd.nextInt(3);
        if (style == 0 && plainOk) {
            return s;
        }
        if (style == 1) {
            return "'" + s.replace("'", "''") + "'";
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void rootMayBeAList() throws YamlException {
        assertInstanceOf(List.class, parse("- a\n- b\n"));
    }
}
