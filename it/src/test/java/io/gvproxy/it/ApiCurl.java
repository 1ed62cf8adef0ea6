package io.gvproxy.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code curl --unix-socket API} against gvproxy's HTTP API: the status code and the body of one request. */
final class ApiCurl {
    private static final String STATUS_MARK = "\n@@status=";

    record Response(int status, String body) {
    }

    private ApiCurl() {
    }

    static Response get(Path api, String path) {
        return run(api, path);
    }

    /** POST with {@code json} as the body. */
    static Response post(Path api, String path, String json) {
        return run(api, path, "-X", "POST", "-d", json);
    }

    private static Response run(Path api, String path, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "--unix-socket", api.toString(),
                "-w", STATUS_MARK + "%{http_code}"));
        cmd.addAll(List.of(extra));
        cmd.add("http://unix" + path);
        String out = HostCommand.text(cmd);
        int mark = out.lastIndexOf(STATUS_MARK);
        if (mark < 0) {
            throw new AssertionError("curl printed no status for " + path + ": " + out);
        }
        return new Response(Integer.parseInt(out.substring(mark + STATUS_MARK.length()).strip()),
                out.substring(0, mark));
    }
}
