package io.gvproxy.core.vswitch;

import io.gvproxy.core.net.MacAddress;

/**
 * Learns of MACs appearing on and leaving the switch (the source of upstream's
 * {@code connection_established} / {@code connection_closed} notifications).
 *
 * <p>Calls are made in order under the switch's learning lock, on the thread that caused them (a port's
 * reader thread, or the thread detaching a port), so a listener must return quickly and must not block;
 * hand work to another thread if needed.
 */
public interface SwitchListener {
    /** {@code mac} was seen for the first time (or for the first time since it was forgotten). */
    void macLearned(MacAddress mac, int portId);

    /** {@code mac}'s port was removed; one call per MAC that was learned on it. */
    void macForgotten(MacAddress mac, int portId);
}
