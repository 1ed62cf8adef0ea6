package io.gvproxy.ffm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tap tests. Each runs {@link TapScenarios} in a child JVM inside a network namespace created here
 * ({@code ip netns add}) and deleted in a finally block, so no interface, address or packet touches the
 * host's network. Skipped, with the reason printed, when not root or without /dev/net/tun or ip.
 */
class TapLinkTest {
    @BeforeAll
    static void requirements() throws Exception {
        String reason = null;
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            reason = "/dev/net/tun is missing";
        } else if (!NetnsScenario.hasIp()) {
            reason = "the ip command is missing";
        } else if (!NetnsScenario.isRoot()) {
            reason = "not root (tap and network namespaces need CAP_NET_ADMIN)";
        }
        if (reason != null) {
            System.out.println("TapLinkTest skipped: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    private static void inNamespace(String scenario) throws Exception {
        NetnsScenario.run("ffmtap", TapScenarios.class, scenario, 90);
    }

    @Test
    void createConfigureAttachAndVerifyWithIp() throws Exception {
        inNamespace("configure");
    }

    @Test
    void kernelArpsForTheGatewayAndSendsUdpAfterOurReply() throws Exception {
        inNamespace("arp");
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        inNamespace("close");
    }

    @Test
    void offloadsGiveSuperFramesAndTakeLargeFrames() throws Exception {
        NetnsScenario.run("ffmtap", TapOffloadScenarios.class, "offloads", 90);
    }
}
