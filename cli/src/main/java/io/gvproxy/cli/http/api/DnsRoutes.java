package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.HttpRequest;
import io.gvproxy.cli.http.HttpResponse;
import io.gvproxy.cli.http.HttpStatus;
import io.gvproxy.core.dns.ZoneTable;
import java.nio.charset.StandardCharsets;

/** Upstream's {@code /services/dns/all} (any method) and {@code /services/dns/add} (POST a zone). */
final class DnsRoutes {
    private DnsRoutes() {
    }

    static HttpResponse all(ZoneTable zones) {
        return HttpResponse.ok(ZoneJson.encode(zones.zones()).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse add(ZoneTable zones, HttpRequest request) {
        if (!request.method().equals("POST")) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, "post only");
        }
        try {
            zones.addZone(ZoneJson.decode(request.body()));
        } catch (ZoneJson.DecodeException e) {
            return HttpResponse.error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        return HttpResponse.ok(new byte[0]);
    }
}
