package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConnectRequestTest {
    @Test
    void isWhatGoRequestWriteEmitsForABodylessPost() {
        assertEquals("POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n",
                new String(ConnectRequest.bytes("/connect"), StandardCharsets.US_ASCII));
    }

    @Test
    void usesTheGivenPath() {
        assertEquals("POST /other HTTP/1.1\r\n",
                new String(ConnectRequest.bytes("/other"), StandardCharsets.US_ASCII).lines().findFirst().orElseThrow()
                        + "\r\n");
    }

    @Test
    void refusesPathsThatWouldBreakTheRequestLine() {
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.bytes(""));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.bytes("/a b"));
        assertThrows(IllegalArgumentException.class, () -> ConnectRequest.bytes("/a\r\nX: y"));
    }
}
