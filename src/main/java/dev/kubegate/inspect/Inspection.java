package dev.kubegate.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.Set;

/**
 * What policy sees of a write: the object it would produce, and the body to forward once allowed.
 *
 * @param object  the object (decoded body, or the API server's dry-run result); null for calls without one
 * @param body    the request body as read, forwarded unchanged if policy allows; null when not read
 * @param refusal the API server's answer when it refused the dry run (relayed as is); null otherwise
 */
public record Inspection(JsonNode object, Buffer body, DryRun.Result refusal) {

    public static final Inspection NONE = new Inspection(null, null, null);

    private static final Set<String> BODY_VERBS = Set.of("create", "update", "patch");
    private static final Set<String> OLD_OBJECT_VERBS = Set.of("update", "patch", "delete");

    /** Subresources whose body is not a Kubernetes object (proxied application traffic). */
    private static final Set<String> OPAQUE_SUBRESOURCES = Set.of("proxy");

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

    /** Whether policy must see this call's body before it is forwarded. */
    public static boolean needsBody(RequestInfo info, boolean upgrade) {
        return info.isResourceRequest() && !upgrade && BODY_VERBS.contains(info.verb())
                && !OPAQUE_SUBRESOURCES.contains(info.subresource());
    }

    /** The 415 for a body kubegate cannot read; a body sent without any Content-Type says so. */
    static Status unsupported(RequestInfo info, String contentType) {
        String what = contentType == null ? "a body without a Content-Type" : "Content-Type " + Status.quoted(contentType);
        return Status.unsupportedMediaType("kubegate must inspect the body of " + info.verb() + " " + info.resource()
                + " and cannot read " + what
                + "; send application/json, application/yaml, a patch type or application/vnd.kubernetes.protobuf");
    }

    /**
     * Reads the body (at most {@code maxBytes}) and resolves it into the object the call would
     * produce: JSON objects are decoded; YAML, patches and protobuf go through a dry run.
     * Fails with {@link InspectionException} (400, 413, 415, 503): never forwards unread.
     */
    public static Future<Inspection> inspect(HttpServerRequest req, RequestInfo info, MultiMap upstreamHeaders,
                                             long maxBytes, DryRun dryRun) {
        BodyKind kind = BodyKind.of(req.getHeader(HttpHeaders.CONTENT_TYPE));
        if (kind == BodyKind.UNSUPPORTED) {
            return Future.failedFuture(new InspectionException(unsupported(info, req.getHeader(HttpHeaders.CONTENT_TYPE))));
        }
        return BodyReader.read(req, maxBytes).compose(body -> {
            if (!kind.needsDryRun()) {
                return Future.succeededFuture(new Inspection(withoutManagedFields(ObjectDecoder.decode(body.getBytes())), body, null));
            }
            return dryRun.resolve(req.method(), req.uri(), upstreamHeaders, body)
                    .map(result -> result.ok() ? new Inspection(withoutManagedFields(result.object()), body, null)
                            : new Inspection(null, body, result));
        });
    }
}
