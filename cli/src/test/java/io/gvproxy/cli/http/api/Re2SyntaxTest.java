package io.gvproxy.cli.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Re2SyntaxTest {
    /** Go's regexp.Compile messages ('#' separates pattern and message after "error parsing regexp: "). */
    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
        "[a-#missing closing ]: `[a-`",
        "x[ab#missing closing ]: `[ab`",
        "(abc#missing closing ): `(abc`",
        "abc)#unexpected ): `abc)`",
        "*a#missing argument to repetition operator: `*`",
        "a|*#missing argument to repetition operator: `*`",
        "(+)#missing argument to repetition operator: `+`",
        "??#missing argument to repetition operator: `??`",
        "x(?<=a)#invalid named capture: `(?<=a)`",
        "(?P<a-b>x)#invalid named capture: `(?P<a-b>`",
        "(?i)*#missing argument to repetition operator: `*`",
        "(?i)(a#missing closing ): `(?i)(a`",
        "{2}#missing argument to repetition operator: `{2}`",
        "a**#invalid nested repetition operator: `**`",
        "a++#invalid nested repetition operator: `++`",
        "a*?+#invalid nested repetition operator: `*?+`",
        "(?=x)#invalid or unsupported Perl syntax: `(?=`",
        "(?!x)#invalid or unsupported Perl syntax: `(?!`",
        "(?>x)#invalid or unsupported Perl syntax: `(?>`",
        "\\1#invalid escape sequence: `\\1`",
        "(a)\\1#invalid escape sequence: `\\1`",
        "\\h#invalid escape sequence: `\\h`",
        "a\\#trailing backslash at end of expression: ``",
        "a{2,1}#invalid repeat count: `{2,1}`",
        "a{1001}#invalid repeat count: `{1001}`",
        "[z-a]#invalid character class range: `z-a`",
    })
    void goErrors(String pattern, String message) {
        assertEquals(Optional.of("error parsing regexp: " + message), Re2Syntax.error(pattern), pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "^api-", "^api-.*\\.test\\.internal\\.$", "a{2,3}b{4,}c?", "(?i)web",
        "(?i:a|b)+", "[]a]", "[^]a]", "[a-z0-9_-]+", "\\d\\.\\Q*\\E", "a|", "\\012", "[[:alpha:]]"})
    void goAcceptsThese(String pattern) {
        assertEquals(Optional.empty(), Re2Syntax.error(pattern), pattern);
    }

    /** Go accepts these but java.util.regex, which answers the queries, does not: refused with Java's words. */
    @ParameterizedTest
    @ValueSource(strings = {"x{", "(?P<n>x)"})
    void javaOnlyRefusalsQuoteJava(String pattern) {
        String error = Re2Syntax.error(pattern).orElseThrow();
        assertTrue(error.startsWith("error parsing regexp: ") && error.endsWith(": `" + pattern + "`"), error);
    }
}
