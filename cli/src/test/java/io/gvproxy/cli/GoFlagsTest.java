package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoFlagsTest {
    private static GoFlags flags() {
        return new GoFlags("prog")
                .bool("b", false, "a bool")
                .bool("on", true, "default true")
                .string("s", "", "a string")
                .string("named", "dflt", "with default")
                .integer("n", 0, "an int")
                .integer("port", 2222, "with default")
                .repeatable("r", "repeatable");
    }

    private static ParsedFlags parse(String... args) throws FlagException {
        return flags().parse(List.of(args));
    }

    private static String error(String... args) {
        FlagException e = assertThrows(FlagException.class, () -> parse(args));
        assertEquals(2, e.exitStatus());
        return e.getMessage();
    }

    @Test
    void defaultsWhenNothingGiven() throws FlagException {
        ParsedFlags p = parse();
        assertFalse(p.bool("b"));
        assertTrue(p.bool("on"));
        assertEquals("", p.string("s"));
        assertEquals("dflt", p.string("named"));
        assertEquals(0, p.integer("n"));
        assertEquals(2222, p.integer("port"));
        assertEquals(List.of(), p.list("r"));
        assertFalse(p.isSet("port"));
        assertTrue(p.setNames().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-s=v", "--s=v"})
    void stringWithEquals(String arg) throws FlagException {
        ParsedFlags p = parse(arg);
        assertEquals("v", p.string("s"));
        assertTrue(p.isSet("s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-s", "--s"})
    void stringAsNextArgument(String arg) throws FlagException {
        assertEquals("v", parse(arg, "v").string("s"));
    }

    @Test
    void valueMayStartWithDashOrContainEquals() throws FlagException {
        assertEquals("-b", parse("-s", "-b").string("s"));
        assertEquals("a=b", parse("-s=a=b").string("s"));
        assertEquals("", parse("-s=").string("s"));
        assertTrue(parse("-named", "").isSet("named"));
    }

    @Test
    void lastValueWins() throws FlagException {
        assertEquals("2", parse("-s", "1", "--s=2").string("s"));
    }

    @ParameterizedTest
    @CsvSource({"-b,true", "--b,true", "-b=true,true", "-b=false,false", "--b=1,true", "-b=0,false", "-b=t,true",
        "-b=F,false", "-b=TRUE,true", "-b=False,false", "-on=false,false"})
    void boolForms(String arg, boolean expected) throws FlagException {
        String name = arg.contains("on") ? "on" : "b";
        assertEquals(expected, parse(arg).bool(name));
    }

    @Test
    void boolNeverConsumesNextArgument() throws FlagException {
        ParsedFlags p = parse("-b", "false", "-s", "x");
        assertTrue(p.bool("b"));
        assertEquals(List.of("false", "-s", "x"), p.remaining());
        assertEquals("", p.string("s"));
    }

    @Test
    void badBool() {
        assertEquals("invalid boolean value \"yes\" for -b: parse error", error("-b=yes"));
        assertEquals("invalid boolean value \"\" for -b: parse error", error("-b="));
    }

    @Test
    void repeatableCollectsInOrder() throws FlagException {
        assertEquals(List.of("a", "b", "c"), parse("-r", "a", "--r=b", "-r=c").list("r"));
    }

    @Test
    void doubleDashEndsFlags() throws FlagException {
        ParsedFlags p = parse("-b", "--", "-s", "x");
        assertTrue(p.bool("b"));
        assertEquals(List.of("-s", "x"), p.remaining());
    }

    @Test
    void stopsAtFirstNonFlag() throws FlagException {
        ParsedFlags p = parse("-s", "v", "pos", "-b");
        assertEquals("v", p.string("s"));
        assertFalse(p.bool("b"));
        assertEquals(List.of("pos", "-b"), p.remaining());
        assertEquals(List.of("-", "-b"), parse("-", "-b").remaining());
    }

    @Test
    void unknownFlag() {
        assertEquals("flag provided but not defined: -x", error("-x"));
        assertEquals("flag provided but not defined: -x", error("--x=1"));
    }

    @Test
    void missingValue() {
        assertEquals("flag needs an argument: -s", error("-s"));
        assertEquals("flag needs an argument: -n", error("-b", "--n"));
    }

    @Test
    void badSyntax() {
        assertEquals("bad flag syntax: ---s", error("---s"));
        assertEquals("bad flag syntax: -=v", error("-=v"));
        assertEquals("bad flag syntax: --=v", error("--=v"));
    }

    @ParameterizedTest
    @CsvSource({"1500,1500", "-1,-1", "+7,7", "0x10,16", "0X1f,31", "0o17,15", "017,15", "0b101,5", "0,0",
        "0x_1_0,16", "0b1_1,3", "1_000,1000", "0_17,15", "00,0", "9223372036854775807,9223372036854775807",
        "-9223372036854775808,-9223372036854775808"})
    void intSyntax(String text, long expected) throws FlagException {
        assertEquals(expected, parse("-n", text).integer("n"));
        assertEquals(expected, parse("--n=" + text).integer("n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.5", "0x", "08", "0b2", "1e3", " 1", "0x_", "0x1__0", "0x10_", "٣",
        "1__0", "_1", "1_", "0_", "-_1"})
    void intParseErrors(String text) {
        assertEquals("invalid value " + GoQuote.quote(text) + " for flag -n: parse error", error("-n=" + text));
    }

    @Test
    void intOutOfRange() {
        assertEquals("invalid value \"9223372036854775808\" for flag -n: value out of range",
                error("-n", "9223372036854775808"));
        assertEquals("invalid value \"-0x8000000000000001\" for flag -n: value out of range",
                error("-n", "-0x8000000000000001"));
    }

    @RepeatedTest(20)
    void randomDecimalsRoundTrip() throws FlagException {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 200; i++) {
            long v = r.nextLong();
            String text = switch (r.nextInt(3)) {
                case 0 -> Long.toString(v);
                case 1 -> (v < 0 ? "-0x" : "0x") + BigInteger.valueOf(v).abs().toString(16);
                default -> (v < 0 ? "-0o" : "0o") + BigInteger.valueOf(v).abs().toString(8);
            };
            assertEquals(v, parse("-n", text).integer("n"), "seed " + seed + " text " + text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "-help", "--help", "--h", "-help=x"})
    void helpRequested(String arg) {
        FlagException e = assertThrows(HelpRequestedException.class, () -> parse("-b", arg, "-x"));
        assertEquals(0, e.exitStatus());
    }

    @Test
    void helpIsAnOrdinaryFlagWhenDefined() throws FlagException {
        ParsedFlags p = new GoFlags("p").bool("h", false, "mine").parse(List.of("-h"));
        assertTrue(p.bool("h"));
    }

    @Test
    void usageMatchesGoPrintDefaults() {
        String expected = """
                Usage of prog:
                  -b\ta bool
                  -n int
                    \tan int
                  -named string
                    \twith default (default "dflt")
                  -on
                    \tdefault true (default true)
                  -port int
                    \twith default (default 2222)
                  -r value
                    \trepeatable
                  -s string
                    \ta string
                """;
        assertEquals(expected, flags().usage());
    }

    @Test
    void wrongTypeAccessIsAProgrammingError() throws FlagException {
        ParsedFlags p = parse();
        assertThrows(IllegalArgumentException.class, () -> p.string("b"));
        assertThrows(IllegalArgumentException.class, () -> p.bool("nope"));
    }

    @Test
    void redefinitionRejected() {
        assertThrows(IllegalStateException.class, () -> new GoFlags("p").bool("a", false, "").string("a", "", ""));
    }
}
