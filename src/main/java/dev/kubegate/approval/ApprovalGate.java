package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.Principal;
import dev.kubegate.inspect.DryRun;
import dev.kubegate.inspect.InspectionException;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import dev.kubegate.masking.HiddenValues;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.MaskingException;
import dev.kubegate.masking.ResourceHint;
import dev.kubegate.masking.SecretValues;
import dev.kubegate.masking.WholeObjectMasker;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds a call that policy says needs approval, between decide and forward. The call proceeds when a
 * grant covers it (the same call from the same session, approved before or while it waits); it is
 * refused with a 403 when denied or when {@code kubegate.approval.wait} passes without a decision —
 * the message then carries the approval id, the page to approve it on and the instruction to retry
 * the same command. A decision taken on any replica releases the wait at once (store change feed).
 * When the client leaves, the wait ends. Store or audit unavailable → 503 (fail closed).
 */
@ApplicationScoped
public class ApprovalGate {

    private static final Logger LOG = Logger.getLogger(ApprovalGate.class);

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final Set<String> DRY_RUN_VERBS = Set.of("create", "update", "patch");

    /** What the gateway does with the call: forward it (with the body as read) or answer the Status. */
    public record Outcome(Status refusal, Buffer body, String approvalId, String approvers) {
        public boolean proceed() {
            return refusal == null;
        }

        static Outcome refuse(Status s) {
            return new Outcome(s, null, null, null);
        }
    }

    /**
     * One held call, as the gateway knows it.
     *
     * @param current         the object as it is now (update, patch, delete), or null
     * @param dryRun          how to ask the API server what the call would change
     * @param upstreamHeaders the headers the call goes upstream with (the dry run impersonates the caller too)
     * @param justification   why the agent makes the call, as its user answered kubegate's MCP server; or null
     * @param askFirst        the caller (kubegate's MCP server) asks its user for a justification before a new
     *                        approval request is made: such a call is refused with 428 instead of raising one
     */
    public record Call(Request request, Principal principal, PolicyDecision decision, JsonNode current, DryRun dryRun,
                       MultiMap upstreamHeaders, String justification, boolean askFirst) {

        public Call(Request request, Principal principal, PolicyDecision decision, JsonNode current, DryRun dryRun,
                    MultiMap upstreamHeaders) {
            this(request, principal, decision, current, dryRun, upstreamHeaders, null, false);
        }

        public RequestInfo info() {
            return request.info();
        }

        public QueryParams query() {
            return request.query();
        }
    }

    /** The HTTP request held: what its digest and its dry run are made of. */
    public record Request(String method, String uri, String path, String contentType, RequestInfo info, QueryParams query) {
    }

    /** The client of a held call: its body (read when first asked for) and its leaving, which ends the wait. */
    public interface Caller {

        Future<Buffer> body();

        void whenGone(Runnable action);
    }

    @Inject
    ApprovalService service;

    @Inject
    ApproverRealms approvers;

    @Inject
    StateStore store;

    @Inject
    KubegateConfig config;

    @Inject
    Vertx vertx;

    @Inject
    ApprovalLinks links;

    /** Calls waiting on this replica, by approval id. */
    private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private AutoCloseable feed;

    private final class Waiter {
        final String id;
        final Promise<Optional<ApprovalRecords.Versioned>> done = Promise.promise();
        final AtomicBoolean checking = new AtomicBoolean();
        long timer;

        Waiter(String id) {
            this.id = id;
        }

        void finish(Optional<ApprovalRecords.Versioned> v) {
            if (done.tryComplete(v)) {
                vertx.cancelTimer(timer);
                forget();
            }
        }

        void fail(Throwable e) {
            if (done.tryFail(e)) {
                vertx.cancelTimer(timer);
                forget();
            }
        }

        private void forget() {
            waiting.computeIfPresent(id, (k, s) -> {
                s.remove(this);
                return s.isEmpty() ? null : s;
            });
        }

        /** Reads the request; finishes when it is decided (or gone). */
        void check() {
            service.records().get(id).subscribe().with(v -> {
                if (v.isEmpty() || !v.get().request().pending()) {
                    finish(v);
                }
            }, e -> LOG.debugf("approval %s: re-read after a change failed: %s", id, e));
        }
    }

    @PostConstruct
    void init() {
        feed = store.subscribe(change -> {
            if (change.resync()) {
                waiting.values().forEach(set -> set.forEach(Waiter::check));
            } else if (ApprovalRecords.KIND.equals(change.kind())) {
                Set<Waiter> set = waiting.get(change.id());
                if (set != null) {
                    set.forEach(Waiter::check);
                }
            }
        });
    }

    @PreDestroy
    void close() throws Exception {
        if (feed != null) {
            feed.close();
        }
    }

    /** Holds {@code call} until it may proceed or must be refused. Never fails: failures become refusals. */
    public Future<Outcome> hold(Call call, Caller caller) {
        PolicyDecision.Approval approval = call.decision().approval();
        String reasons = String.join("; ", call.decision().reasons());
        if (!approvers.configured()) {
            return Future.succeededFuture(Outcome.refuse(Status.forbidden(reasons + "; this call needs approval by "
                    + groups(approval) + ", and no approver can sign in to this kubegate (neither kubegate.admin.tokens-file nor kubegate.approvers.oidc.issuer is set), "
                    + "so the call is refused")));
        }
        if (approval.approverGroups().isEmpty()) {
            return Future.succeededFuture(Outcome.refuse(Status.forbidden(reasons
                    + "; this call needs approval, but the policy names no approver groups, so nobody can approve it")));
        }
        if (!store.available()) {
            return Future.succeededFuture(Outcome.refuse(ApprovalService.unavailable(new IllegalStateException(store.describe() + " is unavailable"))));
        }
        Promise<Outcome> result = Promise.promise();
        AtomicBoolean clientLeft = new AtomicBoolean();
        Waiter[] current = new Waiter[1];
        caller.whenGone(() -> {
            clientLeft.set(true);
            Waiter w = current[0];
            if (w != null) {
                w.fail(new IllegalStateException("the client went away"));
            }
            result.tryComplete(Outcome.refuse(new Status(499, "ClientClosedRequest", "the client closed the request while it waited for approval", null)));
        });
        // The digest covers the body, so the caller reads it now if inspection did not (a DELETE's options).
        caller.body().onFailure(e -> result.tryComplete(Outcome.refuse(e instanceof InspectionException ie ? ie.status()
                        : Status.badRequest("kubegate could not read the request body: " + Status.describe(e)))))
                .onSuccess(b -> {
                    String scope = scope(call.principal());
                    Request req = call.request();
                    String mediaType = dev.kubegate.k8s.MediaType.digestForm(req.method(), req.contentType(), b.length() > 0);
                    ApprovalRequest.Call digest = CallDigest.of(req.method(), req.path(), call.query(), mediaType, b.getBytes(), scope);
                    service.covering(digest, () -> draft(call, digest, b))
                            .subscribe().with(c -> settle(call, c.current(), b, result, clientLeft, current, 0),
                                    e -> result.tryComplete(Outcome.refuse(failure(e))));
                });
        return result.future();
    }

    /**
     * Who a grant covers: the session that asked (a grant dies with it), or, for an implicit session,
     * the identity — its session id changes when its TTL window rolls over, and the agent's retry
     * after an approval must not land in a new window's session and ask again.
     */
    static String scope(Principal principal) {
        return principal.session().filter(s -> !s.implicit()).map(s -> "session:" + s.id())
                .orElse("principal:" + principal.id());
    }

    /** Proceeds, refuses, or waits for the decision on {@code v}. */
    private void settle(Call call, ApprovalRecords.Versioned v, Buffer body, Promise<Outcome> result, AtomicBoolean clientLeft,
                        Waiter[] current, int round) {
        if (clientLeft.get() || result.future().isComplete()) {
            return;
        }
        ApprovalRequest r = v.request();
        switch (r.status()) {
            case ApprovalRequest.DENIED -> result.tryComplete(Outcome.refuse(Status.forbidden(
                    "approval request " + r.id() + " for " + r.request().describe() + " was denied by " + r.deniedBy() + ": "
                            + r.denialReason()).withDetails(r.id(), "approvals")));
            case ApprovalRequest.APPROVED, ApprovalRequest.USED -> service.consume(v).subscribe().with(used -> result.tryComplete(used.isPresent()
                            ? new Outcome(null, body, r.id(), r.approvedBy())
                            : Outcome.refuse(Status.forbidden("approval " + r.id() + " for " + r.request().describe()
                            + " was already used by an identical call (it covered one call); retry to ask for approval again")
                            .withDetails(r.id(), "approvals"))),
                    e -> result.tryComplete(Outcome.refuse(failure(e))));
            case ApprovalRequest.PENDING -> {
                if (round > 0) {
                    result.tryComplete(Outcome.refuse(waitOver(call, r)));
                    return;
                }
                Waiter w = new Waiter(r.id());
                current[0] = w;
                waiting.computeIfAbsent(r.id(), k -> ConcurrentHashMap.newKeySet()).add(w);
                Duration wait = config.approval().holdFor();
                w.timer = vertx.setTimer(Math.max(1, wait.toMillis()), t -> w.finish(Optional.empty()));
                w.check(); // a decision may have landed before this waiter was registered
                w.done.future().onComplete(ar -> {
                    if (ar.failed()) {
                        return; // the client left
                    }
                    Optional<ApprovalRecords.Versioned> decided = ar.result();
                    if (decided.isEmpty() || decided.get().request().pending()) {
                        result.tryComplete(Outcome.refuse(waitOver(call, r)));
                    } else {
                        settle(call, decided.get(), body, result, clientLeft, current, round + 1);
                    }
                });
            }
            default -> result.tryComplete(Outcome.refuse(Status.forbidden("approval request " + r.id() + " has "
                    + r.status() + "; retry to ask for approval again").withDetails(r.id(), "approvals")));
        }
    }

    private Status waitOver(Call call, ApprovalRequest r) {
        String decided = r.approvals() > 0 ? " (" + r.approvals() + " of " + r.requiredApprovers() + " approvals so far)" : "";
        return Status.forbidden(String.join("; ", call.decision().reasons()) + ". Approval request " + r.id()
                + " is waiting for " + (r.requiredApprovers() > 1 ? r.requiredApprovers() + " approvers" : "an approver")
                + " from " + String.join(" or ", r.approverGroups()) + decided + ": "
                + (r.url() == null ? "" : "open " + r.url() + " or ") + "run '" + ApprovalLinks.command(r.id()) + "'. Once it is approved, retry exactly the same command; "
                + "a different command needs its own approval.").withDetails(r.id(), "approvals");
    }

    /** The refusal that makes kubegate's MCP server ask its user for a justification (only its calls get it). */
    static Status justificationFirst(Call call) {
        PolicyDecision.Approval a = call.decision().approval();
        String why = String.join("; ", call.decision().reasons());
        String approvalReason = a.reason().isEmpty() || why.contains(a.reason()) ? "" : "; " + a.reason();
        return new Status(JUSTIFICATION_REQUIRED, "PreconditionRequired", call.info().describe() + " needs approval by "
                + groups(a) + (why.isEmpty() && approvalReason.isEmpty() ? "" : " (" + why + approvalReason + ")"), null)
                .withDetails("", "justification");
    }

    /** The status of {@link #justificationFirst}. */
    public static final int JUSTIFICATION_REQUIRED = 428;

    private static String groups(PolicyDecision.Approval a) {
        return a.approverGroups().isEmpty() ? "an approver" : "a member of " + String.join(" or ", a.approverGroups());
    }

    private static Status failure(Throwable e) {
        if (e instanceof ApprovalException a) {
            return a.status();
        }
        return ApprovalService.unavailable(e);
    }

    /** A new request for this call, with what it would change (dry run) for mutations. */
    private Uni<ApprovalRequest> draft(Call call, ApprovalRequest.Call digest, Buffer body) {
        if (call.askFirst()) {
            // Nothing is created yet: the MCP server asks its user why, then repeats the call with the answer.
            return Uni.createFrom().failure(new ApprovalException(justificationFirst(call)));
        }
        Future<Changes> changes = changes(call, body);
        return Uni.createFrom().completionStage(changes.toCompletionStage()).flatMap(ch -> {
            Principal p = call.principal();
            Map<String, String> labels = p.session().map(Principal.Session::labels).orElse(Map.of());
            String justification = call.justification() != null && !call.justification().isBlank() ? call.justification()
                    : labels.getOrDefault("justification", labels.getOrDefault("task", ""));
            RequestInfo i = call.info();
            PolicyDecision.Approval a = call.decision().approval();
            java.time.Instant now = service.now();
            String id = ApprovalService.newId();
            ApprovalRequest r = new ApprovalRequest(id, ApprovalRequest.PENDING, now, now.plus(config.approval().requestTtl()),
                    new ApprovalRequest.Requester(p.name(), p.id(), p.kind(), p.groups(), p.session().map(Principal.Session::id).orElse(null),
                            labels, justification),
                    new ApprovalRequest.Request(i.verb(), i.apiGroup(), i.apiVersion(), i.resource(), i.subresource(), i.namespace(),
                            i.name(), i.describe()),
                    digest, call.decision().reasons(), a.reason(), a.approverGroups(), a.approvers(), a.ttl().toSeconds(),
                    null, 0, null, ch.shown(), ch.note(), null, links.page(id), ch.summary(), ch.full().size(), null);
            if (!r.diffTruncated()) {
                return Uni.createFrom().item(r);
            }
            // The request keeps the bounded view; the whole diff is kept beside it for the full-diff view.
            java.time.Duration grant = a.ttl().compareTo(config.approval().requestTtl()) > 0 ? a.ttl() : config.approval().requestTtl();
            return service.records().createDiff(id, ch.full(), r.decideBy().plus(grant).plus(config.approval().retention())).replaceWith(r);
        });
    }

    /**
     * What the call would change: every change ({@code full}), the bounded view kept on the request
     * ({@code shown}, cuts marked), why it is empty or partial ({@code note}), and what it means ({@code summary}).
     */
    record Changes(java.util.List<ObjectDiff.Entry> full, java.util.List<ObjectDiff.Entry> shown, String note,
                   java.util.List<ChangeSummary.Item> summary) {

        static final Changes NONE = new Changes(java.util.List.of(), java.util.List.of(), null, java.util.List.of());

        static Changes note(String note) {
            return new Changes(java.util.List.of(), java.util.List.of(), note, java.util.List.of());
        }

        static Changes of(java.util.List<ObjectDiff.Entry> full, java.util.List<ChangeSummary.Item> summary) {
            java.util.List<ObjectDiff.Entry> shown = ObjectDiff.shown(full);
            String note = full.size() > ObjectDiff.MAX_ENTRIES
                    ? "only the first " + ObjectDiff.MAX_ENTRIES + " of " + full.size() + " changes are shown; the full diff has them all"
                    : ObjectDiff.truncated(shown) ? "long values are cut (marked); the full diff has them whole" : null;
            return new Changes(full, shown, note, summary);
        }
    }

    private Future<Changes> changes(Call call, Buffer body) {
        RequestInfo i = call.info();
        if (!i.isResourceRequest()) {
            return Future.succeededFuture(Changes.NONE);
        }
        if ("delete".equals(i.verb())) {
            if (call.current() == null) {
                return Future.succeededFuture(Changes.note("the object could not be read, so its content is not shown"));
            }
            JsonNode before = reviewable(masked(call, call.current()));
            return Future.succeededFuture(before == null ? unmaskable()
                    : Changes.of(ObjectDiff.full(before, null), ChangeSummary.of(i.verb(), before, null, null)));
        }
        if ("deletecollection".equals(i.verb())) {
            return Future.succeededFuture(new Changes(java.util.List.of(), java.util.List.of(),
                    "deletes every " + i.resource() + " the selector matches",
                    ChangeSummary.deleteCollection(i.resource(), i.namespace(), call.query().first("labelSelector").orElse(""))));
        }
        if (!DRY_RUN_VERBS.contains(i.verb()) || !i.subresource().isEmpty() && !"status".equals(i.subresource()) && !"scale".equals(i.subresource())
                || call.dryRun() == null) {
            return Future.succeededFuture(Changes.NONE);
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(call.upstreamHeaders());
        String contentType = call.request().contentType();
        if (contentType != null) headers.set(HttpHeaders.CONTENT_TYPE, contentType);
        return call.dryRun().resolve(HttpMethod.valueOf(call.request().method()), call.request().uri(), headers, body)
                .compose(res -> {
                    if (!res.ok()) {
                        return Future.succeededFuture(Changes.note("the API server refused the dry run (HTTP " + res.errorCode() + ")"));
                    }
                    JsonNode maskedBefore = call.current() == null ? null : masked(call, call.current());
                    JsonNode maskedAfter = masked(call, res.object());
                    if (maskedAfter == null || call.current() != null && maskedBefore == null) {
                        return Future.succeededFuture(unmaskable());
                    }
                    markChangedValues(call.current(), res.object(), maskedAfter);
                    JsonNode before = reviewable(maskedBefore);
                    JsonNode after = reviewable(maskedAfter);
                    return resolveRole(call.dryRun(), ChangeSummary.roleToResolve(before, after))
                            .map(role -> Changes.of(ObjectDiff.full(before, after), ChangeSummary.of(i.verb(), before, after, role)));
                })
                .otherwise(e -> Changes.note("what would change is unknown: the dry run failed (" + e.getMessage() + ")"));
    }

    /**
     * The object as approvers may see it: masked like an answer, with Secret values and credentials
     * masked whatever the policy lets the agent see (approvers, webhooks and the store see this).
     * Null when it cannot be masked.
     */
    private static JsonNode masked(Call call, JsonNode o) {
        RequestInfo i = call.info();
        try {
            byte[] raw = JSON.writeValueAsBytes(o);
            // the current object's values too: a JSON patch "move" takes a value out of data
            SecretValues known = SecretValues.ofSecret(call.current() == null ? null : JSON.writeValueAsBytes(call.current()));
            ResourceHint hint = ResourceHint.of(i.apiGroup(), i.resource(), i.subresource());
            JsonNode masked = JSON.readTree(WholeObjectMasker.maskAll(
                    WholeObjectMasker.forAnswer(call.decision().mask().rulesForRecords(), hint, known), raw));
            // a value masked where it sits, copied elsewhere (from the object or from the object as it is): gone too
            HiddenValues.redactStrings(masked, HiddenValues.of(o, masked.deepCopy()), JsonMasker.PLACEHOLDER);
            if (call.current() != null && call.current() != o) {
                JsonNode current = JSON.readTree(WholeObjectMasker.maskAll(WholeObjectMasker.forAnswer(
                        call.decision().mask().rulesForRecords(), hint, new SecretValues()), JSON.writeValueAsBytes(call.current())));
                HiddenValues.redactStrings(masked, HiddenValues.of(call.current(), current), JsonMasker.PLACEHOLDER);
            }
            return masked;
        } catch (java.io.IOException | MaskingException e) {
            LOG.warnf("approval: the object of %s could not be masked, so it is not shown: %s", i.describe(), e.getMessage());
            return null;
        }
    }

    /** Shown instead of a masked Secret value that the change replaces, so approvers see that it changes. */
    static final String CHANGED_VALUE = "*** (changed)";

    /**
     * Masked values all look alike, so a replaced Secret value would not show in the diff: where the
     * raw value of a data/stringData/binaryData key differs before and after and was masked, the
     * masked object after says so (never how). Values shown as they are (a ConfigMap's) stay.
     */
    static void markChangedValues(JsonNode rawBefore, JsonNode rawAfter, JsonNode maskedAfter) {
        if (rawBefore == null || rawAfter == null || maskedAfter == null) {
            return;
        }
        for (String field : new String[]{"data", "stringData", "binaryData"}) {
            JsonNode b = rawBefore.path(field), a = rawAfter.path(field);
            if (!(maskedAfter.get(field) instanceof ObjectNode masked) || !b.isObject() || !a.isObject()) {
                continue;
            }
            a.fieldNames().forEachRemaining(k -> {
                if (b.has(k) && !b.get(k).equals(a.get(k)) && masked.has(k) && !masked.get(k).equals(a.get(k))) {
                    masked.put(k, CHANGED_VALUE);
                }
            });
        }
    }

    private static Changes unmaskable() {
        return Changes.note("the object could not be masked, so its content is not shown");
    }

    /**
     * The role a binding refers to, read with kubegate's own identity (the agent may not be allowed
     * to read it). Fails soft: the summary then says it could not be resolved.
     */
    private static Future<ChangeSummary.ResolvedRole> resolveRole(DryRun reader, ChangeSummary.ResolvedRole ref) {
        if (ref == null) {
            return Future.succeededFuture(null);
        }
        String path = "Role".equals(ref.kind())
                ? "/apis/rbac.authorization.k8s.io/v1/namespaces/" + encode(ref.namespace()) + "/roles/" + encode(ref.name())
                : "/apis/rbac.authorization.k8s.io/v1/clusterroles/" + encode(ref.name());
        return reader.current(path, MultiMap.caseInsensitiveMultiMap())
                .map(role -> new ChangeSummary.ResolvedRole(ref.kind(), ref.namespace(), ref.name(), role,
                        role == null ? "it does not exist, or kubegate may not read it" : null))
                .otherwise(e -> new ChangeSummary.ResolvedRole(ref.kind(), ref.namespace(), ref.name(), null, e.getMessage()));
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The object as approvers review it: without server bookkeeping; null stays null. */
    private static JsonNode reviewable(JsonNode o) {
        if (o == null) {
            return null;
        }
        JsonNode copy = o.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode meta) {
            meta.remove("managedFields");
        }
        return copy;
    }
}
