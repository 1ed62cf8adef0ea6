package io.gvproxy.core.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ResolvConfTest {
    @Test
    void parsesNameserversAndTheFirstSearchLine() {
        ResolvConf c = ResolvConf.parse("""
                # generated
                domain ignored.example
                nameserver 127.0.0.53   # stub
                nameserver ::1
                nameserver not-an-ip
                search corp.example lab.example  bad..name
                search second.example
                options edns0 trust-ad
                ;nameserver 127.0.0.9
                """);
        assertEquals(List.of(InetAddress.ofLiteral("127.0.0.53"), InetAddress.ofLiteral("::1")), c.nameservers());
        assertEquals(List.of("corp.example", "lab.example"), c.search());
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.53"), 53), c.nameserverAddresses().getFirst());
    }

    @Test
    void readsAnInjectedPathAndTreatsAMissingFileAsEmpty(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, "nameserver 127.0.0.1\nsearch a.test\n");
        assertEquals(List.of("a.test"), ResolvConf.read(f).search());
        assertEquals(List.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 53)),
                DnsConfig.fromResolvConf(f).nameservers());
        ResolvConf missing = ResolvConf.read(dir.resolve("absent"));
        assertTrue(missing.nameservers().isEmpty() && missing.search().isEmpty());
    }
}
