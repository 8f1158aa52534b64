package dev.kubegate.inspect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.k8s.EffectiveOptions;
import dev.kubegate.k8s.InvalidRequestException;
import dev.kubegate.k8s.MediaType;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;

import java.io.IOException;

/**
 * Makes the real write apply only to the state policy judged. Policy judges the object as it was
 * read (and the dry-run result computed from it); the write goes out later — after an approval wait
 * — and the API server applies it to whatever the object is then. So kubegate adds the judged
 * {@code resourceVersion} as the API server's own precondition, and a concurrent change makes the
 * write fail with 409 Conflict instead of applying something nobody judged:
 * <ul>
 *   <li>update (PUT, JSON): {@code metadata.resourceVersion} of the object read, when the body has none;</li>
 *   <li>merge and strategic-merge patch, server-side apply (JSON text): {@code metadata.resourceVersion}
 *       of the dry-run result, which the API server compares with the stored object;</li>
 *   <li>JSON patch: an {@code add} of that value to {@code /metadata/resourceVersion}, last (a
 *       {@code test} op would fail as 422 Invalid, this fails as 409 Conflict like the others);</li>
 *   <li>delete: {@code preconditions.resourceVersion} in the DeleteOptions body; a DELETE without a
 *       body gets one holding every option of its query, since a body silences the query.</li>
 * </ul>
 * A body that already names another resourceVersion than the one judged is refused with 409 at once.
 * Not bound: dry runs (nothing is applied), creates (an existing object is already a 409),
 * deletecollection, YAML and protobuf bodies (kubegate does not rewrite them), and calls whose
 * object did not exist or could not be read when judged. The approval digest is computed on the
 * client's original call, never on this body. Pure.
 */
public final class ConditionalWrite {

    /** Exact numbers: a forwarded body must mean what the client sent, to the last digit. */
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /**
     * The body to forward and, when kubegate wrote the body itself (a DELETE that had none), its
     * Content-Type; {@code body} is the original when nothing is bound.
     */
    public record Forward(byte[] body, String contentType, String boundResourceVersion) {
    }

    private ConditionalWrite() {
    }

    /**
     * @param mediaType the media type the API server decodes {@code body} with (null without a body)
     * @param judged    the dry-run result policy judged, or null
     * @param current   the object as read for policy ({@code oldObject}), or null
     * @throws InspectionException 409 when the states policy judged disagree with each other or with
     *                             the body; 400 when a DELETE's query options are not valid
     */
    public static Forward bind(RequestInfo info, QueryParams query, String mediaType, byte[] body, EffectiveOptions options,
                               JsonNode judged, JsonNode current) {
        Forward unchanged = new Forward(body, null, null);
        if (!info.isResourceRequest() || options.dryRun()) {
            return unchanged;
        }
        String currentRv = resourceVersion(current);
        switch (info.verb()) {
            case "update" -> {
                if (currentRv == null || !MediaType.JSON.equals(mediaType)) {
                    return unchanged;
                }
                return withMetadataResourceVersion(body, currentRv, "the object you replace");
            }
            case "patch" -> {
                String judgedRv = resourceVersion(judged);
                if (judgedRv == null) {
                    return unchanged; // a server-side apply that creates, or nothing judged
                }
                if (currentRv != null && !currentRv.equals(judgedRv)) {
                    throw changed("the object changed while kubegate judged this patch");
                }
                return switch (mediaType) {
                    case MediaType.JSON_PATCH -> withJsonPatchResourceVersion(body, judgedRv);
                    case MediaType.MERGE_PATCH, MediaType.STRATEGIC_MERGE_PATCH -> withMetadataResourceVersion(body, judgedRv, "the patch");
                    case MediaType.APPLY_PATCH -> isJsonObject(body) ? withMetadataResourceVersion(body, judgedRv, "the apply configuration") : unchanged;
                    default -> unchanged;
                };
            }
            case "delete" -> {
                if (currentRv == null) {
                    return unchanged;
                }
                if (body == null || body.length == 0) {
                    ObjectNode synthesized;
                    try {
                        synthesized = EffectiveOptions.deleteOptionsBody(query);
                    } catch (InvalidRequestException e) {
                        throw new InspectionException(Status.badRequest(e.getMessage()));
                    }
                    return withPrecondition(synthesized, currentRv, MediaType.JSON);
                }
                if (!MediaType.JSON.equals(mediaType)) {
                    return unchanged;
                }
                return withPrecondition(parseObject(body), currentRv, null);
            }
            default -> {
                return unchanged;
            }
        }
    }

    private static Forward withMetadataResourceVersion(byte[] body, String rv, String what) {
        ObjectNode root = parseObject(body);
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isObject()) {
            return new Forward(body, null, null); // the API server refuses or ignores it; nothing to bind to
        }
        ObjectNode m = meta == null ? root.putObject("metadata") : (ObjectNode) meta;
        JsonNode sent = m.get("resourceVersion");
        if (sent != null && sent.isTextual() && !sent.asText().isEmpty()) {
            if (!sent.asText().equals(rv)) {
                throw changed(what + " names resourceVersion " + sent.asText() + ", but kubegate judged the object at " + rv);
            }
            return new Forward(body, null, rv); // already conditional on the judged state
        }
        m.put("resourceVersion", rv);
        return new Forward(write(root), null, rv);
    }

    private static Forward withJsonPatchResourceVersion(byte[] body, String rv) {
        JsonNode ops = parse(body);
        if (!ops.isArray()) {
            return new Forward(body, null, null); // not a JSON patch: the API server refuses it
        }
        ObjectNode add = JsonNodeFactory.instance.objectNode();
        add.put("op", "add").put("path", "/metadata/resourceVersion").put("value", rv);
        ((ArrayNode) ops).add(add);
        return new Forward(write(ops), null, rv);
    }

    private static Forward withPrecondition(ObjectNode options, String rv, String contentType) {
        JsonNode pre = options.get("preconditions");
        if (pre != null && !pre.isObject() && !pre.isNull()) {
            return new Forward(write(options), contentType, null);
        }
        ObjectNode p = pre == null || pre.isNull() ? options.putObject("preconditions") : (ObjectNode) pre;
        JsonNode sent = p.get("resourceVersion");
        if (sent != null && sent.isTextual() && !sent.asText().isEmpty() && !sent.asText().equals(rv)) {
            throw changed("the delete's precondition names resourceVersion " + sent.asText() + ", but kubegate judged the object at " + rv);
        }
        p.put("resourceVersion", rv);
        return new Forward(write(options), contentType, rv);
    }

    /** {@code metadata.resourceVersion}, or null when absent or empty (nothing stored to bind to). */
    static String resourceVersion(JsonNode object) {
        if (object == null) {
            return null;
        }
        JsonNode rv = object.path("metadata").path("resourceVersion");
        return rv.isTextual() && !rv.asText().isEmpty() ? rv.asText() : null;
    }

    private static boolean isJsonObject(byte[] body) {
        try (JsonParser p = EXACT.createParser(body)) {
            return p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT;
        } catch (IOException e) {
            return false;
        }
    }

    private static ObjectNode parseObject(byte[] body) {
        JsonNode n = parse(body);
        if (!n.isObject()) {
            throw new InspectionException(Status.badRequest("the request body must be one JSON object"));
        }
        return (ObjectNode) n;
    }

    private static JsonNode parse(byte[] body) {
        try (JsonParser p = EXACT.createParser(body)) {
            JsonNode n = EXACT.readTree(p);
            if (n == null || p.nextToken() != null) {
                throw new InspectionException(Status.badRequest("the request body must be exactly one JSON document"));
            }
            return n;
        } catch (IOException e) {
            throw new InspectionException(Status.badRequest("the request body is not valid JSON: " + e.getMessage().lines().findFirst().orElse("unreadable")));
        }
    }

    private static byte[] write(JsonNode n) {
        try {
            return EXACT.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e); // writing a tree to memory: only a bug gets here
        }
    }

    private static InspectionException changed(String why) {
        return new InspectionException(new Status(409, "Conflict", why
                + "; the object was changed after kubegate judged this call, so it is not applied. Read the object again and retry.", null));
    }
}
