package io.gvproxy.cli.config;

import java.util.List;
import java.util.Map;

/** A node of the YAML subset {@link YamlSubsetParser} reads; {@code line} is 1-based, for error messages. */
public sealed interface YamlNode {
    int line();

    /** What the node is, for "expected a list, found a mapping" messages. */
    String kind();

    /** A scalar as written (quotes removed, escapes applied). {@code quoted} tells "null" from "\"null\"". */
    record Scalar(String text, boolean quoted, int line) implements YamlNode {
        /** Empty, {@code ~} or {@code null} written without quotes: YAML's null. */
        public boolean isNull() {
            return !quoted && (text.isEmpty() || text.equals("~") || text.equals("null") || text.equals("Null")
                    || text.equals("NULL"));
        }

        @Override
        public String kind() {
            return isNull() ? "an empty value" : "a scalar";
        }
    }

    /** A mapping in file order; keys are scalars and unique. */
    record Mapping(Map<String, Entry> entries, int line) implements YamlNode {
        public Mapping {
            entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** One key of a mapping, with the line the key is on. */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }
}
