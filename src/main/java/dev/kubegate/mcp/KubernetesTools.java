package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes tools. Each one is the API call(s) kubectl would make, sent through the gateway
 * ({@link Loopback}) as the agent; a refusal (policy, approval, RBAC, the API server) is the tool's
 * error with the refusal's message. Writes that may be held for approval are watched by
 * {@link ApprovalProgress} so the client hears about the approval while it waits.
 */
final class KubernetesTools {

    static final String FIELD_MANAGER = "kubegate-mcp";
    private static final String APPLY = "application/apply-patch+yaml";

    private final Vertx vertx;
    private final Loopback api;
    private final Discovery discovery;
    private final Output output;
    private final ApprovalProgress approvals;
    private final PodExec exec;
    private final long maxRequestBody;

    KubernetesTools(Vertx vertx, Loopback api, Discovery discovery, Output output, ApprovalProgress approvals, PodExec exec,
                    long maxRequestBody) {
        this.vertx = vertx;
        this.api = api;
        this.discovery = discovery;
        this.output = output;
        this.approvals = approvals;
        this.exec = exec;
        this.maxRequestBody = maxRequestBody;
    }

    private static final Discovery.Resource PODS = new Discovery.Resource("v1", "", "v1", "Pod", "pods", true);
    private static final Discovery.Resource NAMESPACES = new Discovery.Resource("v1", "", "v1", "Namespace", "namespaces", false);
    private static final Discovery.Resource EVENTS = new Discovery.Resource("v1", "", "v1", "Event", "events", true);

    /** Runs tool {@code name}; the text it prints, or a failed future with a {@link ToolError}. */
    Future<String> call(ToolContext ctx, String name, Arguments a) {
        return switch (name) {
            case "namespaces_list" -> list(ctx, NAMESPACES, null, null, null, a);
            case "events_list" -> list(ctx, EVENTS, a.text("namespace"), null, null, a);
            case "pods_list" -> list(ctx, PODS, null, a.text("labelSelector"), null, a);
            case "pods_list_in_namespace" -> list(ctx, PODS, a.text("namespace"), a.text("labelSelector"), null, a);
            case "pods_get" -> get(ctx, PODS, namespace(a), a.text("name"));
            case "pods_delete" -> delete(ctx, PODS, namespace(a), a.text("name"));
            case "pods_log" -> log(ctx, a);
            case "pods_exec" -> exec.run(ctx, namespace(a), ApiPaths.name("name", a.text("name")), a.text("container"), a.strings("command"));
            case "resources_list" -> discovery.resolve(ctx, a.text("apiVersion"), a.text("kind"))
                    .compose(r -> list(ctx, r, a.text("namespace"), a.text("labelSelector"), a.text("fieldSelector"), a));
            case "resources_get" -> discovery.resolve(ctx, a.text("apiVersion"), a.text("kind"))
                    .compose(r -> get(ctx, r, namespace(a), a.text("name")));
            case "resources_delete" -> discovery.resolve(ctx, a.text("apiVersion"), a.text("kind"))
                    .compose(r -> delete(ctx, r, namespace(a), a.text("name")));
            case "resources_scale" -> discovery.resolve(ctx, a.text("apiVersion"), a.text("kind"))
                    .compose(r -> scale(ctx, r, namespace(a), a.text("name"), a.integer("scale")));
            case "resources_create_or_update" -> createOrUpdate(ctx, a.text("resource"));
            default -> Future.failedFuture(new ToolError("unknown tool " + name));
        };
    }

    private static String namespace(Arguments a) {
        return a.text("namespace", "default");
    }

    private Future<String> list(ToolContext ctx, Discovery.Resource r, String namespace, String labelSelector,
                                String fieldSelector, Arguments a) {
        Map<String, Object> q = ApiPaths.params();
        q.put("labelSelector", labelSelector);
        q.put("fieldSelector", fieldSelector);
        String path = ApiPaths.of(r, namespace, null) + ApiPaths.query(q);
        return api.get(ctx, path).map(answer -> {
            if (!answer.ok()) {
                throw answer.error();
            }
            JsonNode list = answer.json();
            boolean allNamespaces = r.namespaced() && (namespace == null || namespace.isEmpty());
            return a.yaml() ? output.yaml(list) : output.table(list, allNamespaces, Instant.now());
        });
    }

    private Future<String> get(ToolContext ctx, Discovery.Resource r, String namespace, String name) {
        return api.get(ctx, ApiPaths.of(r, namespace, ApiPaths.name("name", name))).map(answer -> {
            if (!answer.ok()) {
                throw answer.error();
            }
            return output.yaml(answer.json());
        });
    }

    private Future<String> delete(ToolContext ctx, Discovery.Resource r, String namespace, String name) {
        String path = ApiPaths.of(r, namespace, ApiPaths.name("name", name));
        Future<Loopback.Answer> call = write(ctx, HttpMethod.DELETE, path, null, null);
        return approvals.during(ctx, watched("delete", r, "", namespace, name), call).map(answer -> {
            if (!answer.ok()) {
                throw answer.error();
            }
            return r.kind() + " " + (r.namespaced() ? namespace + "/" : "") + name + " deleted";
        });
    }

    private Future<String> log(ToolContext ctx, Arguments a) {
        String namespace = namespace(a);
        String name = ApiPaths.name("name", a.text("name"));
        Map<String, Object> q = ApiPaths.params();
        q.put("container", a.text("container") == null ? null : ApiPaths.name("container", a.text("container")));
        q.put("previous", a.bool("previous") ? "true" : null);
        Integer tail = a.integer("tail");
        q.put("tailLines", tail == null ? 100 : tail == 0 ? null : tail);
        String path = ApiPaths.of(PODS, namespace, name) + "/log" + ApiPaths.query(q);
        return api.get(ctx, path).map(answer -> {
            if (!answer.ok()) {
                throw answer.error();
            }
            String text = answer.body().toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? "The pod " + namespace + "/" + name + " has no logs." : output.cut(text);
        });
    }

    private Future<String> scale(ToolContext ctx, Discovery.Resource r, String namespace, String name, Integer replicas) {
        String path = ApiPaths.of(r, namespace, ApiPaths.name("name", name)) + "/scale";
        Future<Loopback.Answer> call;
        if (replicas == null) {
            call = api.get(ctx, path);
        } else {
            Buffer body = Buffer.buffer("{\"spec\":{\"replicas\":" + replicas + "}}");
            call = approvals.during(ctx, watched("patch", r, "scale", namespace, name),
                    write(ctx, HttpMethod.PATCH, path, "application/merge-patch+json", body));
        }
        return call.map(answer -> {
            if (!answer.ok()) {
                throw answer.error();
            }
            return output.yaml(answer.json());
        });
    }

    /** Server-side apply of each document, in order; stops at the first refusal (what was applied before it is said). */
    private Future<String> createOrUpdate(ToolContext ctx, String resource) {
        return vertx.<List<ObjectNode>>executeBlocking(() -> Manifests.parse(resource, maxRequestBody), false)
                .compose(docs -> applyFrom(ctx, docs, 0, new ArrayList<>()));
    }

    private Future<String> applyFrom(ToolContext ctx, List<ObjectNode> docs, int i, List<String> applied) {
        if (i == docs.size()) {
            return Future.succeededFuture(String.join("\n---\n", applied));
        }
        ObjectNode doc = docs.get(i);
        String name = ApiPaths.name("metadata.name", doc.path("metadata").path("name").asText());
        return discovery.resolve(ctx, doc.path("apiVersion").asText(), doc.path("kind").asText()).compose(r -> {
            String namespace = doc.path("metadata").path("namespace").asText("");
            if (r.namespaced() && namespace.isEmpty()) {
                namespace = "default";
            }
            Map<String, Object> q = ApiPaths.params();
            q.put("fieldManager", FIELD_MANAGER);
            String path = ApiPaths.of(r, namespace, name) + ApiPaths.query(q);
            Buffer body;
            try {
                body = Buffer.buffer(JsonRpc.JSON.writeValueAsBytes(doc));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return Future.failedFuture(new ToolError("kubegate could not write the object: " + e.getOriginalMessage()));
            }
            return approvals.during(ctx, watched("patch", r, "", r.namespaced() ? namespace : "", name),
                    write(ctx, HttpMethod.PATCH, path, APPLY, body)).compose(answer -> {
                if (!answer.ok()) {
                    ToolError e = answer.error();
                    String done = applied.isEmpty() ? "" : " (applied before it: " + applied.size() + " document(s))";
                    return Future.failedFuture(docs.size() == 1 ? e
                            : new ToolError("document " + (i + 1) + " (" + r.kind() + " " + name + "): " + e.getMessage() + done));
                }
                applied.add(output.yaml(answer.json()));
                return applyFrom(ctx, docs, i + 1, applied);
            });
        });
    }

    /**
     * A write, which policy may hold for approval. When the client can be asked (elicitation), the
     * gateway refuses a call that would raise a new approval request ({@code 428}, nothing created,
     * nothing forwarded); the client is asked why, and the call is made again with the answer, which
     * the approval request shows the approvers. Declined, cancelled or unanswered: a tool error.
     */
    private Future<Loopback.Answer> write(ToolContext ctx, HttpMethod method, String path, String contentType, Buffer body) {
        return api.call(ctx, method, path, contentType, body == null ? null : body.copy()).compose(answer -> {
            if (answer.status() != dev.kubegate.approval.ApprovalGate.JUSTIFICATION_REQUIRED || !ctx.canAsk()) {
                return Future.succeededFuture(answer);
            }
            String needs = answer.json().path("message").asText("this call needs approval");
            return ctx.askJustification("kubegate: " + needs + ". Why is this needed? The approvers see your answer, "
                    + "and it is kept in the audit trail.").compose(a -> switch (a.action()) {
                case "accept" -> api.call(ctx, method, path, contentType, body);
                case "timeout" -> Future.failedFuture(new ToolError("No justification arrived in time (kubegate.mcp.elicitation-timeout), "
                        + "so no approval was requested and nothing was sent to the cluster. Call the tool again to be asked again."));
                default -> Future.failedFuture(new ToolError("The justification was " + ("decline".equals(a.action()) ? "declined" : "cancelled")
                        + ", so no approval was requested and nothing was sent to the cluster."));
            });
        });
    }

    private static ApprovalProgress.Watched watched(String verb, Discovery.Resource r, String subresource, String namespace, String name) {
        return new ApprovalProgress.Watched(verb, r.name(), subresource, r.namespaced() ? namespace : "", name);
    }
}
