package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwarderUrlTest {
    @Test
    void defaultVsockUrlPostsItsPath() throws FlagException {
        assertEquals(new ForwarderUrl.Vsock(2, 1024, "/connect"), ForwarderUrl.parse(GvforwarderFlags.DEFAULT_URL));
    }

    @Test
    void vsockWithoutPathPostsNothing() throws FlagException {
        ForwarderUrl url = ForwarderUrl.parse("vsock://3:4294967295");
        assertEquals(new ForwarderUrl.Vsock(3, 0xFFFF_FFFFL, ""), url);
        assertEquals("", url.connectPath());
    }

    @Test
    void vsockQueryIsNotPartOfThePath() throws FlagException {
        assertEquals(new ForwarderUrl.Vsock(2, 1024, "/connect"), ForwarderUrl.parse("vsock://2:1024/connect?x=1"));
    }

    @Test
    void unixAlwaysPostsConnect() throws FlagException {
        ForwarderUrl url = ForwarderUrl.parse("unix:///run/gv/api.sock");
        assertEquals(new ForwarderUrl.Unix(Path.of("/run/gv/api.sock")), url);
        assertEquals("/connect", url.connectPath());
    }

    @Test
    void unixPathIsPercentDecodedButKeepsPlus() throws FlagException {
        assertEquals(new ForwarderUrl.Unix(Path.of("/tmp/a b+c")), ForwarderUrl.parse("unix:///tmp/a%20b+c"));
    }

    @Test
    void stdioSpawnsTheExecutableWithDashKeyValueArguments() throws FlagException {
        ForwarderUrl url = ForwarderUrl.parse("stdio:/mnt/c/gvproxy-windows.exe?listen-stdio=accept&debug=true&x=a+b%3D");
        assertEquals(new ForwarderUrl.Stdio(Path.of("/mnt/c/gvproxy-windows.exe"),
                List.of("-listen-stdio=accept", "-debug=true", "-x=a b=")), url);
        assertEquals("", url.connectPath());
    }

    @Test
    void stdioWithoutQueryHasNoArguments() throws FlagException {
        assertEquals(new ForwarderUrl.Stdio(Path.of("/usr/bin/gvproxy"), List.of()),
                ForwarderUrl.parse("stdio:/usr/bin/gvproxy"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tcp://127.0.0.1:1024", "vsock:2:1024", "vsock://2", "vsock://x:1024/connect",
            "vsock://2:-1/connect", "vsock://2:4294967296", "vsock://2:/connect", "unix://", "unix://host/path",
            "unix://relative", "stdio:", "stdio:?a=b", "stdio:/bin/x?a=%zz", "/tmp/api.sock"})
    void rejectsMalformedUrls(String url) {
        FlagException e = assertThrows(FlagException.class, () -> ForwarderUrl.parse(url));
        assertTrue(e.getMessage().startsWith("invalid value " + GoQuote.quote(url) + " for flag -url: "),
                e.getMessage());
        assertEquals(2, e.exitStatus());
    }
}
