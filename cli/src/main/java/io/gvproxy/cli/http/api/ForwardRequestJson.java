package io.gvproxy.cli.http.api;

import io.gvproxy.cli.http.api.GoJsonParser.JsonNumber;
import io.gvproxy.cli.http.api.GoJsonParser.JsonObject;
import io.gvproxy.cli.http.api.GoJsonParser.Member;
import io.gvproxy.cli.http.api.GoJsonParser.Null;
import java.util.List;

/**
 * Upstream's {@code types.ExposeRequest{Local, Remote string; Protocol TransportProtocol}} and
 * {@code UnexposeRequest{Local string; Protocol TransportProtocol}} read as Go's {@code encoding/json} does: keys
 * match ignoring case, unknown keys and nulls are ignored, a later duplicate wins, and the first type error is the
 * one reported, in Go's words.
 */
final class ForwardRequestJson {
    record Request(String local, String remote, String protocol) {
    }

    static final class DecodeException extends Exception {
        DecodeException(String message) {
            super(message, null, false, false);
        }
    }

    private ForwardRequestJson() {
    }

    /** @param type {@code ExposeRequest} or {@code UnexposeRequest} (the latter has no {@code remote}) */
    static Request decode(byte[] body, String type) throws DecodeException {
        Object tree;
        try {
            tree = GoJsonParser.parse(body);
        } catch (GoJsonParser.SyntaxException e) {
            throw new DecodeException(e.getMessage());
        }
        String local = "";
        String remote = "";
        String protocol = "";
        if (tree == Null.NULL) {
            return new Request(local, remote, protocol);
        }
        if (!(tree instanceof JsonObject o)) {
            throw new DecodeException("json: cannot unmarshal " + kind(tree) + " into Go value of type types." + type);
        }
        String firstError = null;
        boolean hasRemote = type.equals("ExposeRequest");
        for (Member m : o.members()) {
            Object v = m.value();
            String field;
            String goType;
            if (m.key().equalsIgnoreCase("local")) {
                field = "local";
                goType = "string";
            } else if (hasRemote && m.key().equalsIgnoreCase("remote")) {
                field = "remote";
                goType = "string";
            } else if (m.key().equalsIgnoreCase("protocol")) {
                field = "protocol";
                goType = "types.TransportProtocol";
            } else {
                continue;
            }
            if (v == Null.NULL) {
                continue;
            }
            if (!(v instanceof String s)) {
                if (firstError == null) {
                    firstError = "json: cannot unmarshal " + kind(v) + " into Go struct field " + type + "." + field
                            + " of type " + goType;
                }
                continue;
            }
            switch (field) {
                case "local" -> local = s;
                case "remote" -> remote = s;
                default -> protocol = s;
            }
        }
        if (firstError != null) {
            throw new DecodeException(firstError);
        }
        return new Request(local, remote, protocol);
    }

    private static String kind(Object v) {
        return switch (v) {
            case JsonObject o -> "object";
            case List<?> l -> "array";
            case String s -> "string";
            case JsonNumber n -> "number";
            case Boolean b -> "bool";
            default -> "null";
        };
    }
}
