package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ListenUrlTest {
    @ParameterizedTest
    @CsvSource({"unix:///run/x.sock,UNIX,/run/x.sock", "unixpacket:///a/b,UNIXPACKET,/a/b",
        "unixgram:///c,UNIXGRAM,/c"})
    void socketFiles(String text, ListenUrl.Scheme scheme, String path) {
        ListenUrl u = ListenUrl.parse(text);
        assertEquals(scheme, u.scheme());
        assertEquals(Path.of(path), u.path());
        assertEquals(text, u.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"tcp://127.0.0.1:1234|127.0.0.1|1234", "tcp://:80|''|80",
        "tcp://localhost:0|localhost|0", "tcp://[::1]:65535|::1|65535", "vsock://:1024|''|1024",
        "vsock://3:4294967295|3|-1"})
    void hostPort(String text, String host, int port) {
        ListenUrl u = ListenUrl.parse(text);
        assertEquals(host, u.host());
        assertEquals(port, u.port());
        assertEquals(text, u.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "unix", "/run/x", "unix://", "unix://rel/x", "tcp://1.2.3.4", "tcp://1.2.3.4:",
        "tcp://1.2.3.4:65536", "tcp://1.2.3.4:-1", "tcp://::1:80", "tcp://[::1:80", "tcp://h:80/p", "ftp://h:1",
        "UNIX:///x", "tcp://h:8x", "vsock://:4294967296", "unix:///a\0b"})
    void rejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> ListenUrl.parse(text));
    }
}
