package io.gvproxy.cli.http.api;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.gvproxy.cli.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Success bodies as Go's json.Encoder writes them: compact JSON and a trailing newline. */
final class JsonBody {
    // Go escapes only <, > and & for HTML; Gson's HTML-safe mode would also escape = and ', so it is off. Nothing
    // these endpoints print contains those characters.
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private JsonBody() {
    }

    static HttpResponse ok(Object value) {
        return HttpResponse.ok((GSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
