package io.gvproxy.cli.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class RequestHeadTest {
    @Test
    void parsesGoClientRequests() throws Exception {
        RequestHead h = RequestHead.parse("POST /tunnel?ip=192.168.127.2&port=22 HTTP/1.1\r\nHost: \r\n"
                + "Content-Length: 0\r\nX-A: 1\r\nx-a:  2 \r\n\r\n");
        assertEquals("POST", h.method());
        assertEquals("/tunnel", h.path());
        assertEquals("192.168.127.2", QueryString.first(h.rawQuery(), "ip"));
        assertEquals("22", QueryString.first(h.rawQuery(), "port"));
        assertEquals("", QueryString.first(h.rawQuery(), "missing"));
        assertEquals(List.of("1", "2"), h.all("x-a"));
        assertEquals(1, h.minorVersion());
    }

    @Test
    void decodesPathsAndAbsoluteTargets() throws Exception {
        assertEquals("/services/dns/all", RequestHead.parse("GET http://unix/services/dns/all HTTP/1.1\nHost: u\n\n")
                .path());
        assertEquals("/a b", RequestHead.parse("GET /a%20b HTTP/1.0\r\n\r\n").path());
        assertEquals("a+b c", QueryString.first("x=a%2Bb+c", "x"));
    }

    @Test
    void rejectsWhatGoRejects() {
        assertEquals(400, status("GET /x\r\n\r\n"));
        assertEquals(400, status("G(T /x HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(400, status("GET x HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(400, status("GET /x HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"));
        assertEquals(400, status("GET /x HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"));
        assertEquals(400, status("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        assertEquals(400, status("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(505, status("GET /x HTTP/2.0\r\nHost: x\r\n\r\n"));
        assertEquals(400, status("GET /x HTTP/1.1\r\nHost: x\u0001\r\n\r\n"));
    }

    private static int status(String head) {
        return assertThrows(BadRequestException.class, () -> RequestHead.parse(head)).status();
    }

    /** Random heads from HTTP-ish pieces: each parses or is refused with a status, nothing else. */
    @RepeatedTest(300)
    void randomHeadsParseOrAreRefused(RepetitionInfo info) {
        long seed = 0x5EED_0000L + info.getCurrentRepetition();
        Random rnd = new Random(seed);
        String[] pieces = {"GET", "POST", " ", "/", "/stats", "?", "&", "=", "%", "%4", "%41", "HTTP/1.1", "HTTP/1.0",
            "HTTP/9.9", "\r\n", "\n", ":", "Host", "Content-Length", "Transfer-Encoding", "chunked", "-1",
            "99999999999",
            "\t", "\u0000", "\u00ff", "#", "*", "http://", "Expect", "100-continue", ","};
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(pieces[rnd.nextInt(pieces.length)]);
        }
        sb.append("\r\n\r\n");
        try {
            RequestHead h = RequestHead.parse(sb.toString());
            RequestBody.of(h, 1024);
        } catch (BadRequestException e) {
            int s = e.status();
            if (s != 400 && s != 413 && s != 501 && s != 505) {
                throw new AssertionError("seed " + seed + ": status " + s);
            }
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + ": " + sb, e);
        }
    }
}
