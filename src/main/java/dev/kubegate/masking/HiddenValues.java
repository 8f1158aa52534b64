package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * The values an answer's masking hides in one object: every string of the raw object that its
 * masked form does not show as it is (a Secret's data, a minted token or certificate, a ConfigMap
 * value or env value a key pattern matches). Used to take those values out of texts the API server
 * writes about the object — an error message can quote a field's value ("the name of the object
 * (…) does not match"), and a JSON patch {@code copy} can put any value into such a field.
 */
public final class HiddenValues {

    private HiddenValues() {
    }

    /** The values {@code masked} hides of {@code raw}, in their raw, base64 and decoded forms. */
    public static SecretValues of(JsonNode raw, JsonNode masked) {
        SecretValues values = new SecretValues();
        collect(raw, masked, values);
        return values;
    }

    private static void collect(JsonNode raw, JsonNode masked, SecretValues into) {
        if (raw == null) {
            return;
        }
        if (raw.isTextual()) {
            if (masked == null || !raw.equals(masked)) {
                into.addRaw(raw.asText());
                into.addBase64(raw.asText()); // a data value: its decoded text may be quoted too
            }
            return;
        }
        if (raw.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = raw.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                collect(f.getValue(), masked == null ? null : masked.get(f.getKey()), into);
            }
        } else if (raw.isArray()) {
            for (int i = 0; i < raw.size(); i++) {
                collect(raw.get(i), masked == null ? null : masked.get(i), into);
            }
        }
    }

    /** Every string of {@code n} (changed in place where it can be) with the hidden values redacted. */
    public static JsonNode redactStrings(JsonNode n, SecretValues hidden, String mask) {
        if (hidden.isEmpty()) {
            return n;
        }
        if (n.isTextual()) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(hidden.redact(n.asText(), mask));
        }
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.fields().forEachRemaining(f -> f.setValue(redactStrings(f.getValue(), hidden, mask)));
        } else if (n instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, redactStrings(a.get(i), hidden, mask));
            }
        }
        return n;
    }
}
