package io.gvproxy.cli.http.api;

/** Test access to the guest refusal text. */
public final class ForwarderRoutesAccess {
    private ForwarderRoutesAccess() {
    }

    public static String guestRefusal() {
        return ForwarderRoutes.GUEST_REFUSAL;
    }
}
