package io.gvproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code -notification unix://PATH} with a real guest: a network namespace whose kernel reaches gvproxy through our
 * gvforwarder over {@code POST /connect}. The receiver gets, in order and one message per connection, exactly
 * upstream's JSON lines: {@code ready}; {@code connection_established} with the guest's MAC (the MAC of the
 * namespace's tap0) once the guest joins; {@code connection_closed} with the same MAC when gvforwarder stops; then
 * nothing more.
 */
class NotificationsIT {
    private static final Duration EVENT_LIMIT = Duration.ofSeconds(30);

    @Test
    void aGuestThatJoinsAndLeavesIsAnnouncedInOrderWithItsMac() throws Exception {
        NetnsRig rig = NetnsRig.require("busybox");
        Path runDir = rig.runDir("notifications");
        try (ShortTempDir sockets = ShortTempDir.create();
             NotificationSocket receiver = new NotificationSocket(sockets.resolve("notify.sock"))) {
            Path api = sockets.resolve("api.sock");
            try (GvproxyProcess gvproxy = GvproxyProcess.start(rig.gvproxyJar(), runDir, new Listener.UnixSocket(api),
                    List.of("-listen", "unix://" + api, "-ssh-port", "-1", "-notification",
                            "unix://" + sockets.resolve("notify.sock")))) {
                Supplier<String> context = () -> "\n--- gvproxy.log ---\n" + gvproxy.logText();
                assertEquals("{\"notification_type\":\"ready\"}\n", next(receiver, "ready", context));

                String mac;
                try (ForwarderGuest guest = ForwarderGuest.start(rig, runDir, api)) {
                    Supplier<String> withGuest = () -> context.get() + guest.logs();
                    String link = guest.namespace().exec("ip", "link", "show", "dev", "tap0").output();
                    mac = link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}) .*", "$1");
                    assertEquals(Rig.GUEST_MAC, mac, "gvforwarder's default MAC on tap0: " + link);
                    assertEquals(message("connection_established", mac),
                            next(receiver, "connection_established", withGuest));
                    guest.leave();
                    assertEquals(message("connection_closed", mac), next(receiver, "connection_closed", withGuest));
                }
                assertNull(receiver.poll(Duration.ofSeconds(2)), "one event per MAC and state" + context.get());
                GvproxyProcess.Exit exit = gvproxy.stop();
                assertTrue(exit.clean(), "gvproxy stop: " + exit + context.get());
                System.out.println("notifications: ready, connection_established " + mac + ", connection_closed " + mac);
            }
        }
    }

    /** Upstream's line: {@code json.Encoder} output of {@code {notification_type, mac_address}}. */
    private static String message(String type, String mac) {
        return "{\"notification_type\":\"" + type + "\",\"mac_address\":\"" + mac + "\"}\n";
    }

    /** The next message, checked to be one JSON object with upstream's field names and nothing else. */
    private static String next(NotificationSocket receiver, String type, Supplier<String> context)
            throws InterruptedException {
        String m = receiver.poll(EVENT_LIMIT);
        assertTrue(m != null, "no " + type + " notification within " + EVENT_LIMIT + context.get());
        assertTrue(m.endsWith("}\n") && m.indexOf('\n') == m.length() - 1, "one line per connection: " + m);
        JsonObject o = JsonParser.parseString(m).getAsJsonObject();
        assertEquals(type, o.get("notification_type").getAsString(), m);
        assertEquals(type.equals("ready") ? Set.of("notification_type") : Set.of("notification_type", "mac_address"),
                o.keySet(), m);
        return m;
    }
}
