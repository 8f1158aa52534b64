package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.approval.ApprovalLinks;
import dev.kubegate.approval.ApprovalRequest;
import dev.kubegate.approval.ApprovalService;
import dev.kubegate.identity.session.SessionCounters;
import dev.kubegate.k8s.InvalidRequestException;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.policy.PolicyInput;
import dev.kubegate.policy.PolicyService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * kubegate's own tools. {@code policy_explain} asks the same policy, with the same input shape the
 * gateway builds, about a described call, without making it (so without the API server's dry run
 * or the object as it is now: policy judges the object as given). {@code approval_status} shows one
 * of the caller's own approval requests; someone else's is "not found".
 */
final class KubegateTools {

    private static final Map<String, String> METHODS = Map.of("get", "GET", "list", "GET", "watch", "GET", "create", "POST",
            "update", "PUT", "patch", "PATCH", "delete", "DELETE", "deletecollection", "DELETE");

    private final Vertx vertx;
    private final Discovery discovery;
    private final PolicyService policy;
    private final SessionCounters counters;
    private final ApprovalService approvals;
    private final long maxRequestBody;

    KubegateTools(Vertx vertx, Discovery discovery, PolicyService policy, SessionCounters counters, ApprovalService approvals,
                  long maxRequestBody) {
        this.vertx = vertx;
        this.discovery = discovery;
        this.policy = policy;
        this.counters = counters;
        this.approvals = approvals;
        this.maxRequestBody = maxRequestBody;
    }

    Future<String> explain(ToolContext ctx, Arguments a) {
        String verb = a.text("verb");
        String method = METHODS.get(verb);
        if (method == null) {
            return Future.failedFuture(new ToolError("verb must be one of " + String.join(", ", METHODS.keySet().stream().sorted().toList())));
        }
        String resourceText = a.text("resource");
        Future<JsonNode> object = resourceText == null ? Future.succeededFuture(null)
                : vertx.<JsonNode>executeBlocking(() -> {
                    List<ObjectNode> docs = Manifests.parse(resourceText, maxRequestBody);
                    if (docs.size() != 1) {
                        throw new ToolError("resource must hold exactly one object for policy_explain");
                    }
                    return docs.get(0);
                }, false);
        return Future.all(object, discovery.resolve(ctx, a.text("apiVersion"), a.text("kind"))).compose(both -> {
            Discovery.Resource r = both.resultAt(1);
            JsonNode obj = both.resultAt(0);
            boolean collection = verb.equals("list") || verb.equals("watch") || verb.equals("deletecollection")
                    || verb.equals("create") && a.text("subresource") == null;
            String name = collection ? null : ApiPaths.name("name", a.text("name"));
            String namespace = a.text("namespace", "default");
            String path = ApiPaths.of(r, namespace, name);
            if (a.text("subresource") != null) {
                if (name == null) throw new ToolError("a subresource needs the object's name");
                path += "/" + ApiPaths.name("subresource", a.text("subresource"));
            }
            QueryParams query = QueryParams.parse(verb.equals("watch") ? "watch=true" : null);
            RequestInfo info;
            try {
                info = RequestInfoParser.parseWithQuery(method, path, query, false);
            } catch (InvalidRequestException e) {
                throw new ToolError("kubegate cannot classify that call: " + e.getMessage());
            }
            SessionCounters.Snapshot s = counters.snapshot(ctx.principal);
            PolicyInput input = new PolicyInput(ctx.principal, PolicyInput.Request.of(info, query,
                    dev.kubegate.k8s.EffectiveOptions.derive(info, query, dev.kubegate.k8s.EffectiveOptions.Body.NONE), obj),
                    obj, null, obj == null ? null : PolicyInput.podSpecPath(info.apiGroup(), info.resource(), info.subresource()).orElse(null),
                    new PolicyInput.Stats(s.requests(), s.mutations(), s.deletes(), s.denied()), Instant.now());
            return Future.fromCompletionStage(policy.decide(input), vertx.getOrCreateContext()).map(d -> describe(info, d));
        });
    }

    private static String describe(RequestInfo info, PolicyDecision d) {
        StringBuilder out = new StringBuilder("call: ").append(info.describe()).append('\n');
        if (d.allow()) {
            out.append("decision: allowed by kubegate's policy (the cluster's RBAC for your identity still applies)\n");
        } else if (d.approval().required()) {
            out.append("decision: held for approval by ").append(d.approval().approverGroups().isEmpty() ? "(no approver groups named)"
                    : String.join(" or ", d.approval().approverGroups()));
            if (d.approval().approvers() > 1) out.append(" (").append(d.approval().approvers()).append(" approvers)");
            out.append('\n');
            if (!d.approval().reason().isEmpty()) out.append("approval reason: ").append(d.approval().reason()).append('\n');
        } else {
            out.append("decision: denied\n");
        }
        for (String r : d.reasons()) {
            out.append("reason: ").append(r).append('\n');
        }
        if (!d.mask().secrets()) {
            out.append("masking: Secret values are shown\n");
        } else {
            out.append("masking: Secret values are masked\n");
        }
        out.append("note: judged without the API server's defaults or the object as it is now; the real call may still differ");
        return out.toString();
    }

    Future<String> approvalStatus(ToolContext ctx, Arguments a) {
        String id = a.text("id");
        return Future.fromCompletionStage(approvals.get(id).subscribeAsCompletionStage(), vertx.getOrCreateContext()).map(found -> {
            ApprovalRequest r = found.filter(x -> ctx.principal.id().equals(x.requester().principalId()))
                    .orElseThrow(() -> new ToolError("no approval request " + id + " of yours was found"));
            StringBuilder out = new StringBuilder();
            out.append("id: ").append(r.id()).append('\n')
                    .append("status: ").append(r.status()).append('\n')
                    .append("call: ").append(r.request().describe()).append('\n')
                    .append("approvers: ").append(String.join(" or ", r.approverGroups()))
                    .append(" (").append(r.approvals()).append(" of ").append(r.requiredApprovers()).append(" approvals)\n");
            if (r.pending()) {
                out.append("decide by: ").append(r.decideBy()).append('\n')
                        .append("approve: ").append(r.url() == null ? "" : "open " + r.url() + " or ")
                        .append("run '").append(ApprovalLinks.command(r.id())).append("'\n");
            } else if (ApprovalRequest.DENIED.equals(r.status())) {
                out.append("denied by: ").append(r.deniedBy()).append(": ").append(r.denialReason()).append('\n');
            } else if (ApprovalRequest.APPROVED.equals(r.status())) {
                out.append("approved by: ").append(r.approvedBy()).append(" — call the same tool with the same arguments again\n");
            }
            return out.toString().strip();
        });
    }
}
