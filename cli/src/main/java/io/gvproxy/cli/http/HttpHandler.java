package io.gvproxy.cli.http;

import java.io.IOException;

/** Answers one request; runs on the connection's virtual thread. */
@FunctionalInterface
public interface HttpHandler {
    HttpResponse handle(HttpRequest request) throws IOException;
}
