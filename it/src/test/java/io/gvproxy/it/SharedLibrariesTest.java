package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedLibrariesTest {
    @Test
    void lddLinesGiveTheResolvedLibrariesAndTheLoaderButNotTheVdso() {
        String ldd = """
                \tlinux-vdso.so.1 (0x00007f17dd345000)
                \tlibiperf.so.0 => /lib/x86_64-linux-gnu/libiperf.so.0 (0x00007f17dd2fb000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f17dd119000)
                \tlibmissing.so.1 => not found
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f17dd347000)
                """;
        assertEquals(List.of(Path.of("/lib/x86_64-linux-gnu/libiperf.so.0"), Path.of("/lib/x86_64-linux-gnu/libc.so.6"),
                Path.of("/lib64/ld-linux-x86-64.so.2")), SharedLibraries.parse(ldd));
    }
}
