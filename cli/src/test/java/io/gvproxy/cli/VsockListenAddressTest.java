package io.gvproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gvproxy.ffm.VsockAddress;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Upstream's reading of vsock listen URLs: CID through Go's Atoi and uint32, empty CID = the local CID. */
class VsockListenAddressTest {
    private static VsockAddress resolve(String url) throws StartupException {
        return VsockListenAddress.resolve(ListenUrl.parse(url), () -> 7);
    }

    @ParameterizedTest
    @CsvSource({"vsock://:1024,7,1024", "vsock://2:1024,2,1024", "vsock://3:4294967295,3,4294967295",
            "vsock://4294967295:1,4294967295,1", "vsock://-1:1,4294967295,1", "vsock://+5:1,5,1",
            "vsock://4294967298:1,2,1", "vsock://0:0,0,0"})
    void parsesAsUpstream(String url, long cid, long port) throws StartupException {
        assertEquals(new VsockAddress(cid, port), resolve(url));
    }

    @Test
    void badCidsAreStartupErrorsWithGosText() {
        assertEquals("listen vsock://abc:1024: strconv.Atoi: parsing \"abc\": invalid syntax",
                assertThrows(StartupException.class, () -> resolve("vsock://abc:1024")).getMessage());
        assertEquals("listen vsock://99999999999999999999:1: strconv.Atoi: parsing \"99999999999999999999\": value out of range",
                assertThrows(StartupException.class, () -> resolve("vsock://99999999999999999999:1")).getMessage());
        assertThrows(StartupException.class, () -> resolve("vsock://-:1"));
    }

    @Test
    void missingDevVsockIsAStartupError() {
        StartupException e = assertThrows(StartupException.class, () -> VsockListenAddress.resolve(
                ListenUrl.parse("vsock://:1024"), () -> {
                    throw new IOException("No such file or directory");
                }));
        assertEquals("listen vsock://:1024: cannot read the local CID: no such file or directory", e.getMessage());
    }
}
