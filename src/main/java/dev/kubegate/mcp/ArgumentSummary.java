package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * What a tool call's audit record keeps of its arguments: names and short values, bounded. A
 * {@code resource} (an object to apply, possibly a Secret with its values) is kept only as its size
 * and SHA-256; what was applied is in the records of the API calls, masked by the gateway.
 */
final class ArgumentSummary {

    static final int MAX_TEXT = 256;
    static final int MAX_FIELDS = 32;

    private ArgumentSummary() {
    }

    static ObjectNode of(JsonNode arguments) {
        ObjectNode out = JsonRpc.JSON.createObjectNode();
        if (arguments == null || arguments.isNull() || arguments.isMissingNode()) {
            return out;
        }
        if (!arguments.isObject()) {
            return out.put("(not an object)", arguments.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = arguments.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (++n > MAX_FIELDS) {
                out.put("(more)", arguments.size() - MAX_FIELDS + " more arguments");
                break;
            }
            String name = cut(f.getKey());
            JsonNode v = f.getValue();
            if (name.equals("resource") && v.isTextual()) {
                byte[] bytes = v.asText().getBytes(StandardCharsets.UTF_8);
                out.putObject(name).put("bytes", bytes.length).put("sha256", sha256(bytes));
            } else if (v.isTextual()) {
                out.put(name, cut(v.asText()));
            } else if (v.isNumber() || v.isBoolean() || v.isNull()) {
                out.set(name, v);
            } else if (v.isArray()) {
                ArrayNode a = out.putArray(name);
                for (int i = 0; i < v.size() && i < MAX_FIELDS; i++) {
                    JsonNode e = v.get(i);
                    if (e.isTextual()) a.add(cut(e.asText()));
                    else if (e.isValueNode()) a.add(e);
                    else a.add("(" + e.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")");
                }
            } else {
                out.put(name, "(object of " + v.size() + " fields)");
            }
        }
        return out;
    }

    private static String cut(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
