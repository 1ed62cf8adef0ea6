package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.HttpRequest;
import io.gvproxy.cli.http.HttpResponse;
import io.gvproxy.cli.http.HttpStatus;
import io.gvproxy.core.forward.ForwardException;
import io.gvproxy.core.forward.PortForwarder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Upstream's {@code /services/forwarder/all}, {@code expose} and {@code unexpose}, with its status codes and
 * messages. On the guest's server (gateway:80) a restricted policy also refuses what would let the guest touch
 * the host beyond its loopback: a unix socket (creating or deleting host files) and a listen address other than a
 * loopback one (including {@code :port}, all interfaces).
 */
final class ForwarderRoutes {
    /** Who is asking: the host's API, or the guest's (restricted unless the operator lifted the restriction). */
    enum Caller { HOST, GUEST_RESTRICTED, GUEST_UNRESTRICTED }

    static final String GUEST_REFUSAL = "refused: a request from the guest may only expose a tcp or udp port on a"
            + " host loopback address (start gvproxy with -guest-expose-unrestricted to allow any)";

    private final Supplier<PortForwarder> forwarder;
    private final Caller caller;

    ForwarderRoutes(Supplier<PortForwarder> forwarder, Caller caller) {
        this.forwarder = forwarder;
        this.caller = caller;
    }

    HttpResponse all(HttpRequest request) {
        List<Map<String, String>> out = new ArrayList<>();
        for (PortForwarder.Forward f : forwarder.get().list()) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("local", f.local());
            m.put("remote", f.remote());
            m.put("protocol", f.protocol());
            out.add(m);
        }
        return JsonBody.ok(out);
    }

    HttpResponse expose(HttpRequest request) {
        if (!request.method().equals("POST")) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, "post only");
        }
        ForwardRequestJson.Request req;
        try {
            req = ForwardRequestJson.decode(request.body(), "ExposeRequest");
        } catch (ForwardRequestJson.DecodeException e) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        String protocol = req.protocol().isEmpty() ? "tcp" : req.protocol();
        String remote = req.remote();
        if (!protocol.equals("unix") && !protocol.equals("npipe")) {
            try {
                remote = fillRemote(req.remote(), goRemoteAddr(request.peer()));
            } catch (ForwardException e) {
                return HttpResponse.error(HttpStatus.BAD_REQUEST, e.getMessage());
            }
        }
        if (caller == Caller.GUEST_RESTRICTED && !allowedForGuest(protocol, req.local())) {
            return HttpResponse.error(HttpStatus.FORBIDDEN, GUEST_REFUSAL);
        }
        try {
            forwarder.get().expose(protocol, req.local(), remote);
        } catch (ForwardException e) {
            return HttpResponse.error(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
        return HttpResponse.ok(new byte[0]);
    }

    HttpResponse unexpose(HttpRequest request) {
        if (!request.method().equals("POST")) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, "post only");
        }
        ForwardRequestJson.Request req;
        try {
            req = ForwardRequestJson.decode(request.body(), "UnexposeRequest");
        } catch (ForwardRequestJson.DecodeException e) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        String protocol = req.protocol().isEmpty() ? "tcp" : req.protocol();
        if (caller == Caller.GUEST_RESTRICTED && !allowedForGuest(protocol, req.local())) {
            return HttpResponse.error(HttpStatus.FORBIDDEN, GUEST_REFUSAL);
        }
        try {
            forwarder.get().unexpose(protocol, req.local());
        } catch (ForwardException e) {
            return HttpResponse.error(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        }
        return HttpResponse.ok(new byte[0]);
    }

    /** A tcp or udp listen address whose host is a loopback literal or {@code localhost}. */
    static boolean allowedForGuest(String protocol, String local) {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            return false;
        }
        int colon = local.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        String host = local.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            // only literals: a name could resolve to anything
            return false;
        }
        try {
            return InetAddress.ofLiteral(host).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The client's address as Go's {@code r.RemoteAddr}: {@code ip:port} for TCP, {@code @} for a unix socket. */
    static String goRemoteAddr(String peer) {
        if (peer.indexOf('#') >= 0 || peer.indexOf(':') < 0) {
            return "@";
        }
        int colon = peer.lastIndexOf(':');
        String host = peer.substring(0, colon);
        return host.indexOf(':') >= 0 ? "[" + host + "]" + peer.substring(colon) : peer;
    }

    /** Upstream's {@code remote()}: a remote with an empty host gets the caller's IP. */
    static String fillRemote(String remote, String clientAddr) throws ForwardException {
        String host = GoNet.splitHost(remote);
        if (!host.isEmpty()) {
            return remote;
        }
        return GoNet.splitHost(clientAddr) + remote;
    }
}
