package io.gvproxy.cli.notification;

import com.google.gson.JsonObject;
import io.gvproxy.core.net.MacAddress;

/** One lifecycle event, as upstream's {@code types.NotificationMessage}. */
public record Notification(Type type, MacAddress mac) {
    public enum Type {
        READY("ready"), CONNECTION_ESTABLISHED("connection_established"), CONNECTION_CLOSED("connection_closed"),
        HYPERVISOR_ERROR("hypervisor_error");

        final String wire;

        Type(String wire) {
            this.wire = wire;
        }
    }

    /** The JSON line: {@code mac_address} only when there is one (upstream's omitempty). */
    public String toJsonLine() {
        JsonObject o = new JsonObject();
        o.addProperty("notification_type", type.wire);
        if (mac != null) {
            o.addProperty("mac_address", mac.toString());
        }
        return o + "\n";
    }
}
