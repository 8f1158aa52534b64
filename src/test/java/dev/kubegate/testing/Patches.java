package dev.kubegate.testing;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The patch formats kubectl sends. All methods return a new tree and leave their inputs alone.
 *
 * <p>Strategic merge patch is approximated: a JSON merge patch in which the well-known lists of
 * named things ({@code containers}, {@code volumes}, {@code env}, ...) merge element-wise by their
 * merge key instead of being replaced, plus the directives kubectl emits ({@code $patch},
 * {@code $setElementOrder/...}, {@code $retainKeys}, {@code $deleteFromPrimitiveList/...}). The
 * apiserver looks the merge keys up per type; here they are looked up by field name, which agrees
 * for the fields kubectl patches in practice. Server-side apply reuses the same merge.
 */
final class Patches {
    /** Field name → merge key of its elements. */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"), Map.entry("volumes", "name"), Map.entry("env", "name"),
            Map.entry("imagePullSecrets", "name"), Map.entry("volumeMounts", "mountPath"),
            Map.entry("volumeDevices", "devicePath"), Map.entry("conditions", "type"),
            Map.entry("ownerReferences", "uid"), Map.entry("hostAliases", "ip"),
            Map.entry("containerStatuses", "name"));
    /** Lists of scalars merged as sets. */
    private static final List<String> SET_LISTS = List.of("finalizers");

    private Patches() {
    }

    static JsonNode merge(JsonNode target, JsonNode patch) {
        return merge(target, patch, false);
    }

    static JsonNode strategic(JsonNode target, JsonNode patch) {
        return merge(target, patch, true);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
        if (!patch.isObject()) {
            return strategic ? withoutDirectives(patch) : patch.deepCopy();
        }
        if (strategic && "replace".equals(patch.path("$patch").asText())) {
            return withoutDirectives(patch);
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.object();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String field = e.getKey();
            JsonNode value = e.getValue();
            if (strategic && field.startsWith("$")) {
                if (field.startsWith("$deleteFromPrimitiveList/")) {
                    String list = field.substring(field.indexOf('/') + 1);
                    if (result.get(list) instanceof ArrayNode a) {
                        for (int i = a.size() - 1; i >= 0; i--) {
                            if (contains(value, a.get(i))) {
                                a.remove(i);
                            }
                        }
                    }
                }
                continue; // $patch, $retainKeys, $setElementOrder/...: ordering and pruning hints
            }
            if (value.isNull()) {
                result.remove(field);
            } else if (strategic && value.isObject() && "delete".equals(value.path("$patch").asText())) {
                result.remove(field);
            } else if (strategic && value.isArray() && result.get(field) instanceof ArrayNode existing) {
                result.set(field, mergeList(field, existing, (ArrayNode) value));
            } else {
                result.set(field, merge(result.get(field), value, strategic));
            }
        }
        return result;
    }

    private static JsonNode mergeList(String field, ArrayNode existing, ArrayNode patch) {
        if (SET_LISTS.contains(field)) {
            ArrayNode out = existing.deepCopy();
            patch.forEach(v -> {
                if (!contains(out, v)) {
                    out.add(v.deepCopy());
                }
            });
            return out;
        }
        String key = MERGE_KEYS.get(field);
        if (key == null && field.equals("ports")) {
            // container ports merge by containerPort, service ports by port
            key = patch.size() > 0 && patch.get(0).has("containerPort") ? "containerPort" : "port";
        }
        if (key == null) {
            return withoutDirectives(patch);
        }
        for (JsonNode element : patch) {
            if (element.size() == 1 && "replace".equals(element.path("$patch").asText())) {
                return withoutDirectives(patch); // the list-level "$patch: replace" marker
            }
        }
        ArrayNode out = existing.deepCopy();
        for (JsonNode element : patch) {
            JsonNode id = element.get(key);
            int index = indexOf(out, key, id);
            if ("delete".equals(element.path("$patch").asText())) {
                if (index >= 0) {
                    out.remove(index);
                }
            } else if (index >= 0) {
                out.set(index, merge(out.get(index), element, true));
            } else {
                out.add(withoutDirectives(element));
            }
        }
        return out;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode id) {
        for (int i = 0; id != null && i < list.size(); i++) {
            if (id.equals(list.get(i).get(key))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(JsonNode array, JsonNode value) {
        for (JsonNode v : array) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** A copy without strategic-merge directives, at any depth. */
    private static JsonNode withoutDirectives(JsonNode n) {
        if (n.isArray()) {
            ArrayNode out = Json.array();
            n.forEach(v -> {
                if (!(v.isObject() && v.size() == 1 && v.has("$patch"))) {
                    out.add(withoutDirectives(v));
                }
            });
            return out;
        }
        if (!n.isObject()) {
            return n.deepCopy();
        }
        ObjectNode out = Json.object();
        n.properties().forEach(e -> {
            if (!e.getKey().startsWith("$")) {
                out.set(e.getKey(), withoutDirectives(e.getValue()));
            }
        });
        return out;
    }

    // ---- RFC 6902 JSON patch -----------------------------------------------------------------

    /** Applies a JSON patch; a failed {@code test} or a bad path is a 422, as from the apiserver. */
    static JsonNode jsonPatch(JsonNode target, JsonNode ops) {
        if (!ops.isArray()) {
            throw ApiError.badRequest("json patch must be an array of operations");
        }
        JsonNode doc = target.deepCopy();
        for (JsonNode op : ops) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText();
            switch (kind) {
                case "add" -> doc = add(doc, path, op.get("value"));
                case "remove" -> doc = remove(doc, path);
                case "replace" -> {
                    get(doc, path); // must exist
                    doc = add(remove(doc, path), path, op.get("value"));
                }
                case "move" -> {
                    JsonNode v = get(doc, op.path("from").asText());
                    doc = add(remove(doc, op.path("from").asText()), path, v);
                }
                case "copy" -> doc = add(doc, path, get(doc, op.path("from").asText()).deepCopy());
                case "test" -> {
                    if (!get(doc, path).equals(op.get("value"))) {
                        throw unprocessable("testing value " + path + " failed: test failed");
                    }
                }
                default -> throw unprocessable("Unexpected kind: " + kind);
            }
        }
        return doc;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode n = doc;
        for (String token : tokens(path)) {
            n = n.isArray() ? n.get(index(token, n.size() - 1)) : n.get(token);
            if (n == null) {
                throw unprocessable("doc is missing path: \"" + path + "\": missing value");
            }
        }
        return n;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        if (value == null) {
            throw unprocessable("add operation does not apply: value is missing");
        }
        List<String> tokens = tokens(path);
        if (tokens.isEmpty()) {
            return value.deepCopy();
        }
        JsonNode parent = get(doc, pointer(tokens.subList(0, tokens.size() - 1)));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value.deepCopy());
            } else {
                a.insert(index(last, a.size()), value.deepCopy());
            }
        } else if (parent instanceof ObjectNode o) {
            o.set(last, value.deepCopy());
        } else {
            throw unprocessable("add operation does not apply: doc is missing path: \"" + path + "\"");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        List<String> tokens = tokens(path);
        get(doc, path);
        ContainerNode<?> parent = (ContainerNode<?>) get(doc, pointer(tokens.subList(0, tokens.size() - 1)));
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1));
        } else {
            ((ObjectNode) parent).remove(last);
        }
        return doc;
    }

    private static int index(String token, int max) {
        try {
            int i = Integer.parseInt(token);
            if (i >= 0 && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw unprocessable("invalid array index: " + token);
    }

    private static List<String> tokens(String pointer) {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw unprocessable("invalid JSON pointer: " + pointer);
        }
        return java.util.Arrays.stream(pointer.substring(1).split("/", -1))
                .map(t -> t.replace("~1", "/").replace("~0", "~")).toList();
    }

    private static String pointer(List<String> tokens) {
        StringBuilder b = new StringBuilder();
        tokens.forEach(t -> b.append('/').append(t.replace("~", "~0").replace("/", "~1")));
        return b.toString();
    }

    private static ApiError unprocessable(String message) {
        return new ApiError(422, "Invalid", message, null);
    }
}
