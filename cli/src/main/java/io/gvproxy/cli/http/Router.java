package io.gvproxy.cli.http;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Exact-path routing, like the Go ServeMux patterns upstream registers (none of its API paths is a subtree a client
 * could extend). Unknown paths get Go's "404 page not found"; a path registered for some methods only gets 405.
 */
public final class Router {
    /** A registered path. {@code methods} empty means any method; {@code readsBody} false leaves the body unread. */
    record Route(Set<String> methods, boolean readsBody, HttpHandler handler) {
        boolean allows(String method) {
            return methods.isEmpty() || methods.contains(method) || (method.equals("HEAD") && methods.contains("GET"));
        }
    }

    private final Map<String, Route> routes = new HashMap<>();

    /** Serves {@code path} for any method, as upstream's handlers do unless they check the method themselves. */
    public Router handle(String path, HttpHandler handler) {
        return add(path, new Route(Set.of(), true, handler));
    }

    /** Serves {@code path} for {@code methods} only; other methods get 405 with an Allow header. */
    public Router handle(String path, Set<String> methods, HttpHandler handler) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("no methods for " + path);
        }
        return add(path, new Route(Set.copyOf(methods), true, handler));
    }

    /**
     * Serves {@code path} for any method without reading the request body first, so that a handler answering with
     * {@link HttpResponse#hijack} receives every byte the client sent after the head.
     */
    public Router upgrade(String path, HttpHandler handler) {
        return add(path, new Route(Set.of(), false, handler));
    }

    private Router add(String path, Route route) {
        if (!path.startsWith("/") || routes.putIfAbsent(path, route) != null) {
            throw new IllegalArgumentException("bad or duplicate route " + path);
        }
        return this;
    }

    Route find(String path) {
        return routes.get(path);
    }

    /** The Allow header value for a method-restricted route (HEAD is implied by GET, as in Go). */
    static String allowHeader(Route route) {
        Set<String> all = new TreeSet<>(route.methods());
        if (all.contains("GET")) {
            all.add("HEAD");
        }
        return String.join(", ", all);
    }
}
