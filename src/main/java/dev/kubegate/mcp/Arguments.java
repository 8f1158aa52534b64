package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A tool call's arguments, checked against the tool's input schema before the tool runs. */
final class Arguments {

    private final JsonNode args;

    private Arguments(JsonNode args) {
        this.args = args;
    }

    static Arguments check(String tool, ObjectNode schema, JsonNode args) {
        if (args == null || args.isNull() || args.isMissingNode()) {
            args = JsonRpc.JSON.createObjectNode();
        }
        if (!args.isObject()) {
            throw new ToolError("the arguments of " + tool + " must be an object");
        }
        JsonNode props = schema.path("properties");
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!props.has(name)) {
                List<String> known = new ArrayList<>();
                props.fieldNames().forEachRemaining(known::add);
                throw new ToolError(tool + " has no argument \"" + name + "\" (its arguments: " + String.join(", ", known) + ")");
            }
            JsonNode v = args.get(name);
            if (v.isNull()) {
                continue;
            }
            String type = props.path(name).path("type").asText();
            boolean ok = switch (type) {
                case "string" -> v.isTextual();
                case "boolean" -> v.isBoolean();
                case "integer" -> v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= props.path(name).path("minimum").asInt(Integer.MIN_VALUE);
                case "array" -> v.isArray() && !v.isEmpty() && allText(v);
                default -> false;
            };
            if (!ok) {
                throw new ToolError("argument \"" + name + "\" of " + tool + " must be " + describe(type, props.path(name)));
            }
            JsonNode allowed = props.path(name).path("enum");
            if (allowed.isArray() && !contains(allowed, v.asText())) {
                throw new ToolError("argument \"" + name + "\" of " + tool + " must be one of " + allowed);
            }
        }
        for (JsonNode required : schema.path("required")) {
            JsonNode v = args.get(required.asText());
            if (v == null || v.isNull() || v.isTextual() && v.asText().isEmpty()) {
                throw new ToolError(tool + " needs the argument \"" + required.asText() + "\"");
            }
        }
        return new Arguments(args);
    }

    private static boolean allText(JsonNode a) {
        for (JsonNode e : a) {
            if (!e.isTextual()) return false;
        }
        return true;
    }

    private static boolean contains(JsonNode a, String v) {
        for (JsonNode e : a) {
            if (e.asText().equals(v)) return true;
        }
        return false;
    }

    private static String describe(String type, JsonNode prop) {
        return switch (type) {
            case "integer" -> "an integer" + (prop.has("minimum") ? " of at least " + prop.get("minimum").asInt() : "");
            case "array" -> "a non-empty array of strings";
            case "boolean" -> "true or false";
            default -> "a " + type;
        };
    }

    String text(String name) {
        JsonNode v = args.get(name);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    String text(String name, String otherwise) {
        String v = text(name);
        return v == null ? otherwise : v;
    }

    Integer integer(String name) {
        JsonNode v = args.get(name);
        return v == null || v.isNull() ? null : v.asInt();
    }

    boolean bool(String name) {
        JsonNode v = args.get(name);
        return v != null && v.asBoolean(false);
    }

    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        JsonNode v = args.get(name);
        if (v != null) v.forEach(e -> out.add(e.asText()));
        return out;
    }

    boolean yaml() {
        return "yaml".equals(text("output"));
    }
}
