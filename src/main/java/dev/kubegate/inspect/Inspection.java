package dev.kubegate.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.EffectiveOptions;
import dev.kubegate.k8s.InvalidRequestException;
import dev.kubegate.k8s.MediaType;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Optional;
import java.util.Set;

/**
 * What policy sees of a write: the object it would produce, the options the API server will apply,
 * and the body to forward once allowed.
 *
 * @param object    the object (decoded body, or the API server's dry-run result); null for calls without one
 * @param body      the request body as read, forwarded if policy allows; null when not read
 * @param refusal   the API server's answer when it refused the dry run (relayed as is); null otherwise
 * @param mediaType the media type the API server decodes {@code body} with ({@link MediaType}); null without a body
 * @param options   the options the API server will apply, read where it reads them ({@link EffectiveOptions})
 */
public record Inspection(JsonNode object, Buffer body, DryRun.Result refusal, String mediaType, EffectiveOptions options) {

    private static final Set<String> BODY_VERBS = Set.of("create", "update", "patch");
    /** Their DeleteOptions are in the body when it has a byte: read it, or the query would mislead. */
    private static final Set<String> DELETE_VERBS = Set.of("delete", "deletecollection");
    private static final Set<String> OLD_OBJECT_VERBS = Set.of("update", "patch", "delete");

    /** Subresources whose body is not a Kubernetes object (proxied application traffic). */
    private static final Set<String> OPAQUE_SUBRESOURCES = Set.of("proxy");

    /** A call whose body kubegate does not read: its options come from the query (or it has none). */
    public static Inspection withoutBody(RequestInfo info, QueryParams query) {
        return new Inspection(null, null, null, null, EffectiveOptions.derive(info, query, EffectiveOptions.Body.NONE));
    }

    /**
     * Field-manager bookkeeping is most of a server-returned object and no policy's business; the
     * policy parses its input on every decision, so it is left out.
     */
    private static JsonNode withoutManagedFields(JsonNode object) {
        if (object.get("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) {
            meta.remove("managedFields");
        }
        return object;
    }

    /** Whether policy sees the object as it is now ({@code oldObject}): changes to one named object. */
    public static boolean needsOldObject(RequestInfo info, boolean upgrade) {
        return info.isResourceRequest() && !upgrade && !info.name().isEmpty() && OLD_OBJECT_VERBS.contains(info.verb())
                && !OPAQUE_SUBRESOURCES.contains(info.subresource());
    }

    /** Whether policy must see this call's body (or, for deletes, its options) before it is forwarded. */
    public static boolean needsBody(RequestInfo info, boolean upgrade) {
        return info.isResourceRequest() && !upgrade && (BODY_VERBS.contains(info.verb()) || DELETE_VERBS.contains(info.verb()))
                && !OPAQUE_SUBRESOURCES.contains(info.subresource());
    }

    /**
     * Reads the body (at most {@code maxBytes}) and resolves it into the object the call would
     * produce: JSON objects are decoded; YAML, patches and protobuf go through a dry run. A delete's
     * body gives its options only. Fails with {@link InspectionException} (400, 413, 415, 503):
     * never forwards unread.
     */
    public static Future<Inspection> inspect(HttpServerRequest req, RequestInfo info, QueryParams query,
                                             MultiMap upstreamHeaders, long maxBytes, DryRun dryRun) {
        String method = req.method().name();
        String contentType = req.getHeader(HttpHeaders.CONTENT_TYPE);
        Optional<String> mediaType = MediaType.of(method, contentType);
        boolean delete = DELETE_VERBS.contains(info.verb());
        if (mediaType.isEmpty() && !delete) {
            return Future.failedFuture(unsupported(info, method, contentType));
        }
        return BodyReader.read(req, maxBytes).compose(body -> {
            if (delete) {
                return Future.succeededFuture(deleteOptions(info, query, method, contentType, mediaType, body));
            }
            String type = mediaType.get();
            BodyKind kind = BodyKind.ofMediaType(type);
            if (!kind.needsDryRun()) {
                JsonNode object = withoutManagedFields(ObjectDecoder.decode(body.getBytes()));
                return Future.succeededFuture(new Inspection(object, body, null, type,
                        options(info, query, EffectiveOptions.Body.json(object))));
            }
            EffectiveOptions options = options(info, query, EffectiveOptions.Body.OPAQUE);
            return dryRun.resolve(req.method(), req.uri(), upstreamHeaders, body)
                    .map(result -> result.ok() ? new Inspection(withoutManagedFields(result.object()), body, null, type, options)
                            : new Inspection(null, body, result, type, options));
        });
    }

    /** A DELETE's options: from its body when it has a byte (JSON decoded, others unknown), else from the query. */
    private static Inspection deleteOptions(RequestInfo info, QueryParams query, String method, String contentType,
                                            Optional<String> mediaType, Buffer body) {
        if (body.length() == 0) {
            return new Inspection(null, body, null, null, options(info, query, EffectiveOptions.Body.NONE));
        }
        if (mediaType.isEmpty()) {
            throw unsupported(info, method, contentType);
        }
        EffectiveOptions.Body options = MediaType.JSON.equals(mediaType.get())
                ? EffectiveOptions.Body.json(ObjectDecoder.decode(body.getBytes()))
                : EffectiveOptions.Body.OPAQUE;
        return new Inspection(null, body, null, mediaType.get(), options(info, query, options));
    }

    private static EffectiveOptions options(RequestInfo info, QueryParams query, EffectiveOptions.Body body) {
        try {
            return EffectiveOptions.derive(info, query, body);
        } catch (InvalidRequestException e) {
            throw new InspectionException(Status.badRequest(e.getMessage()));
        }
    }

    /** The 415 for a body the API server cannot decode; it names what was sent (never "null") and what would do. */
    static InspectionException unsupported(RequestInfo info, String method, String contentType) {
        String sent = contentType == null ? "no Content-Type" : "Content-Type " + Status.quoted(contentType);
        String accepted = "PATCH".equals(method)
                ? "send one of " + String.join(", ", MediaType.PATCH_TYPES.stream().sorted().toList())
                + " (the type before any ';' must match exactly)"
                : "send application/json (or no Content-Type), application/yaml or application/vnd.kubernetes.protobuf";
        return new InspectionException(Status.unsupportedMediaType("the API server cannot decode the body of " + info.verb()
                + " " + info.resource() + " with " + sent + "; " + accepted));
    }
}
