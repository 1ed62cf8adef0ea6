package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link Dig#parse} keeps from dig 9.18's {@code +noall +comments +answer} output. */
class DigTest {
    @Test
    void keepsStatusAndAnswerRecordsWithBlanksCollapsed() {
        String out = """
                ;; Got answer:
                ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
                ;; flags: qr aa rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1

                ;; OPT PSEUDOSECTION:
                ; EDNS: version: 0, flags:; udp: 1232
                ;; ANSWER SECTION:
                fwd.gvproxy.test.\t300\tIN\tTXT\t"a b"
                fwd.gvproxy.test.\t300\tIN\tTXT\t"c"
                """;
        Dig.Answer a = Dig.parse(out);
        assertEquals("NOERROR", a.status());
        assertEquals(List.of("fwd.gvproxy.test. 300 IN TXT \"a b\"", "fwd.gvproxy.test. 300 IN TXT \"c\""),
                a.records());
    }

    @Test
    void nxdomainHasNoRecords() {
        Dig.Answer a = Dig.parse(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n;; flags: qr rd ra;\n");
        assertEquals(new Dig.Answer("NXDOMAIN", List.of()), a);
    }

    @Test
    void noResponseIsAFailureNamingTheOutput() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Dig.parse(";; communications error to 127.0.0.1#1: connection refused\n"));
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void commandAsksOnceAndPutsOptionsBeforeTheQuestion() {
        assertEquals(List.of("dig", "@192.168.127.1", "-p", "53", "+tcp", "+tries=1", "+timeout=3", "+noall",
                        "+comments", "+answer", "+bufsize=4096", "x.test", "TXT"),
                Dig.command("192.168.127.1", 53, true, "x.test", "TXT", "+bufsize=4096"));
    }
}
