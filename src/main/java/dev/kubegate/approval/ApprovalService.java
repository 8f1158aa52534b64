package dev.kubegate.approval;

import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.Status;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import dev.kubegate.store.StoreUnavailableException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rules of approval, over the {@link StateStore}: which request covers a call (deduplicated per
 * session and call digest), who may decide, when a request or grant ends, and the one-time use of a
 * grant. Every state change is a compare-and-set, so replicas racing on one request never both win;
 * every step fires a {@link LifecycleEvent} (on a worker thread: the audit trail may write
 * synchronously), and a failure to record it fails the step.
 */
@ApplicationScoped
public class ApprovalService {

    private static final Logger LOG = Logger.getLogger(ApprovalService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
    static final int MAX_REASON = 1000;

    @Inject
    StateStore store;

    @Inject
    KubegateConfig config;

    @Inject
    Event<LifecycleEvent> lifecycle;

    @Inject
    ApprovalNotifier notifier;

    @Inject
    Vertx vertx;

    Clock clock = Clock.systemUTC();
    private ApprovalRecords records;

    /** Which request covers a call, and whether this call created it. */
    public record Covering(ApprovalRecords.Versioned current, boolean created) {
    }

    @PostConstruct
    void init() {
        records = new ApprovalRecords(store, config.approval().retention());
    }

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true")
    boolean serving;

    void startSweeper(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        if (!serving) {
            return; // a CLI command, not the gateway
        }
        // Every replica sweeps; compare-and-set lets exactly one of them record each expiry.
        vertx.setPeriodic(5_000, t -> sweep().subscribe().with(n -> { }, e -> LOG.debugf("approval sweep: %s", e)));
    }

    public ApprovalRecords records() {
        return records;
    }

    public Instant now() {
        return clock.instant();
    }

    static String newId() {
        StringBuilder b = new StringBuilder("ap-");
        for (int i = 0; i < 10; i++) {
            b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return b.toString();
    }

    static String indexId(ApprovalRequest.Call call) {
        return CallDigest.sha256Hex((call.scope() + "\n" + call.digest()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether {@code r} still answers for its call: pending, denied (until it would have expired) or granting. */
    boolean live(ApprovalRequest r, Instant now) {
        return switch (r.status()) {
            case ApprovalRequest.PENDING, ApprovalRequest.DENIED -> now.isBefore(r.decideBy());
            case ApprovalRequest.APPROVED -> r.grantActive(now);
            default -> false;
        };
    }

    /**
     * The request covering {@code call}: the live one of this scope and digest, or a new one from
     * {@code draft} (which may be costly: a dry run; only called when needed).
     */
    public Uni<Covering> covering(ApprovalRequest.Call call, Supplier<Uni<ApprovalRequest>> draft) {
        return covering(call, draft, 0);
    }

    private Uni<Covering> covering(ApprovalRequest.Call call, Supplier<Uni<ApprovalRequest>> draft, int attempt) {
        String indexId = indexId(call);
        return records.index(indexId).flatMap(idx -> {
            if (idx.isEmpty()) {
                return create(indexId, null, call, draft, attempt);
            }
            return records.get(ApprovalRecords.indexedId(idx.get())).flatMap(r -> r.isPresent() && live(r.get().request(), now())
                    ? Uni.createFrom().item(new Covering(r.get(), false))
                    : create(indexId, idx.get(), call, draft, attempt));
        });
    }

    private Uni<Covering> create(String indexId, StateStore.Document oldIndex, ApprovalRequest.Call call,
                                 Supplier<Uni<ApprovalRequest>> draft, int attempt) {
        return withinPendingLimit(call.scope()).flatMap(ok -> draft.get()).flatMap(r -> records.create(r).flatMap(created ->
                (oldIndex == null ? records.createIndex(indexId, r) : records.replaceIndex(oldIndex, r))
                        .map(ignored -> new Covering(created, true))
                        .onFailure(StoreConflictException.class).recoverWithUni(conflict -> {
                            // Another replica (or call) indexed its request first: use that one.
                            if (attempt >= 3) {
                                return Uni.createFrom().failure(conflict);
                            }
                            return store.delete(ApprovalRecords.KIND, r.id()).flatMap(x -> covering(call, draft, attempt + 1));
                        })))
                .call(c -> c.created() ? record(event("approval.requested", c.current().request(), c.current().request().requester().principal(),
                        requestedDetails(c.current().request(), call)))
                        : Uni.createFrom().voidItem())
                .invoke(c -> {
                    if (c.created()) {
                        notifier.requested(c.current().request());
                    }
                });
    }

    /** What the {@code approval.requested} record keeps: the policy's reasons and the agent's justification, if any. */
    private static Map<String, String> requestedDetails(ApprovalRequest r, ApprovalRequest.Call call) {
        Map<String, String> d = new java.util.HashMap<>(Map.of("reasons", String.join("; ", r.reasons()),
                "digest", call.digest(),
                "approverGroups", String.join(",", r.approverGroups()),
                "approvers", Integer.toString(r.requiredApprovers())));
        if (!r.requester().justification().isEmpty()) {
            d.put("justification", r.requester().justification());
        }
        return d;
    }

    /** Refuses (429) a requester who already has the most pending requests approvers should face at once. */
    private Uni<Boolean> withinPendingLimit(String scope) {
        int max = config.approval().maxPending();
        Instant now = now();
        return records.list().map(all -> {
            long pending = all.stream().map(ApprovalRecords.Versioned::request)
                    .filter(r -> r.pending() && now.isBefore(r.decideBy()) && scope.equals(r.call().scope())).count();
            if (pending >= max) {
                throw new ApprovalException(Status.tooManyRequests("there are already " + pending
                        + " approval requests of yours waiting for a decision (at most " + max
                        + "); wait for them to be decided or to expire before asking for more"));
            }
            return true;
        });
    }

    /**
     * Uses the grant for one call: compare-and-set of the use count (a once-grant becomes
     * {@code used}). Empty when the grant no longer covers the call (used up, ended, or another
     * replica's call won the race).
     */
    public Uni<Optional<ApprovalRecords.Versioned>> consume(ApprovalRecords.Versioned v) {
        if (!v.request().grantActive(now())) {
            return Uni.createFrom().item(Optional.empty());
        }
        ApprovalRequest next = v.request().withUse();
        return records.update(v, next)
                .call(u -> record(event("approval.used", next, next.requester().principal(),
                        Map.of("uses", Integer.toString(next.uses()), "grantUntil", String.valueOf(next.grantUntil()),
                                "digest", next.call().digest()))))
                .map(Optional::of)
                .onFailure(StoreConflictException.class).recoverWithUni(conflict -> records.get(v.request().id())
                        .flatMap(again -> again.isPresent() && again.get().request().grantActive(now())
                                ? consume(again.get()) : Uni.createFrom().item(Optional.empty())));
    }

    /**
     * An approver's decision. Refuses (with the Status to answer) an unknown id, a request no longer
     * pending, an approver outside the policy's groups, self-approval, and a second vote by the same
     * approver. Enough approvals make it {@code approved}; one denial makes it {@code denied}.
     */
    public Uni<ApprovalRequest> decide(String id, Approver approver, boolean approve, String reason) {
        String why = reason == null ? "" : reason.strip();
        if (why.length() > MAX_REASON) {
            return Uni.createFrom().failure(new ApprovalException(Status.badRequest("the reason is longer than " + MAX_REASON + " characters")));
        }
        if (!approve && why.isEmpty()) {
            return Uni.createFrom().failure(new ApprovalException(Status.badRequest(
                    "a denial needs a reason: the agent reads it to understand what to do instead")));
        }
        return decide(id, approver, approve, why, 0);
    }

    private Uni<ApprovalRequest> decide(String id, Approver approver, boolean approve, String why, int attempt) {
        return records.get(id).flatMap(found -> {
            if (found.isEmpty()) {
                throw new ApprovalException(Status.notFound("approval request \"" + id + "\" not found (it may have ended more than "
                        + config.approval().retention() + " ago)").withDetails(id, "approvals"));
            }
            ApprovalRecords.Versioned v = found.get();
            ApprovalRequest r = v.request();
            Instant now = now();
            if (!r.pending() || !now.isBefore(r.decideBy())) {
                String state = r.pending() ? ApprovalRequest.EXPIRED : r.status();
                throw new ApprovalException(new Status(409, "Conflict", "approval request " + id + " is " + state
                        + " and can no longer be decided", null).withDetails(id, "approvals"));
            }
            if (r.approverGroups().stream().noneMatch(approver.groups()::contains)) {
                throw new ApprovalException(Status.forbidden("\"" + approver.name() + "\" may not decide on " + id
                        + ": approvers must be members of " + String.join(" or ", r.approverGroups())).withDetails(id, "approvals"));
            }
            if (approver.is(r.requester())) {
                throw new ApprovalException(Status.forbidden("nobody approves their own request: " + id + " was requested by \""
                        + r.requester().principal() + "\"" + (approver.name().equals(r.requester().principal()) ? ""
                        : ", who is " + approver.name() + " of " + approver.realm()) ).withDetails(id, "approvals"));
            }
            if (approve && r.diffTruncated() && !r.fullDiffViewedBy().contains(approver.name())) {
                throw new ApprovalException(new Status(409, "Conflict", "approval request " + id + " makes " + r.changesTotal()
                        + " changes and its summary shows only part of them, so it is approved only by someone who saw the full diff: "
                        + "open it on the approvals page (\"show full diff\"), or run 'kubegate approvals show " + id
                        + "', then approve again", null).withDetails(id, "approvals"));
            }
            if (r.decisions().stream().anyMatch(d -> d.approver().equals(approver.name()))) {
                throw new ApprovalException(new Status(409, "Conflict", "\"" + approver.name() + "\" already decided on " + id
                        + "; it needs " + r.requiredApprovers() + " distinct approvers", null).withDetails(id, "approvals"));
            }
            ApprovalRequest.Decision d = new ApprovalRequest.Decision(approver.name(), approve ? "approve" : "deny", now, why);
            ApprovalRequest next;
            if (!approve) {
                next = r.withDecision(d, ApprovalRequest.DENIED, null);
            } else if (r.approvals() + 1 >= r.requiredApprovers()) {
                // A once-grant stays usable as long as a pending request could wait; a TTL grant for its TTL.
                Instant until = now.plus(r.grantTtlSeconds() > 0 ? r.grantTtl() : config.approval().requestTtl());
                next = r.withDecision(d, ApprovalRequest.APPROVED, until);
            } else {
                next = r.withDecision(d, ApprovalRequest.PENDING, null);
            }
            return records.update(v, next)
                    .flatMap(u -> {
                        Map<String, String> details = new LinkedHashMap<>();
                        details.put("approver", approver.name());
                        details.put("realm", approver.realm());
                        details.put("approvals", next.approvals() + "/" + next.requiredApprovers());
                        details.put("status", next.status());
                        if (!why.isEmpty()) details.put("reason", why);
                        if (next.grantUntil() != null) details.put("grantUntil", next.grantUntil().toString());
                        return record(event(approve ? "approval.approved" : "approval.denied", next, approver.name(), details))
                                .invoke(x -> {
                                    if (!next.pending()) {
                                        notifier.decided(next);
                                    }
                                })
                                .replaceWith(next);
                    })
                    // Someone else decided at the same moment: judge again against what is stored now.
                    .onFailure(StoreConflictException.class).recoverWithUni(conflict -> attempt < 5
                            ? decide(id, approver, approve, why, attempt + 1)
                            : Uni.createFrom().failure(new ApprovalException(new Status(409, "Conflict",
                            "approval request " + id + " is changing too fast; retry", null))));
        });
    }

    /** The whole change of a request, as the full-diff view shows it. */
    public record FullDiffView(String id, int total, boolean shownTruncated, List<ObjectDiff.Entry> entries,
                               List<ChangeSummary.Item> summary, String changesNote) {
    }

    /**
     * The full diff of request {@code id}. When the request's own view is cut and it is pending, the
     * approver is recorded as having seen it (compare-and-set; audited as {@code approval.diff-viewed}):
     * only such approvers may approve it.
     */
    public Uni<FullDiffView> fullDiff(String id, Approver approver) {
        return records.get(id).flatMap(found -> {
            if (found.isEmpty()) {
                throw new ApprovalException(Status.notFound("approval request \"" + id + "\" not found").withDetails(id, "approvals"));
            }
            ApprovalRequest r = found.get().request();
            if (!r.diffTruncated()) {
                return Uni.createFrom().item(new FullDiffView(id, r.changes().size(), false, r.changes(), r.summary(), r.changesNote()));
            }
            return records.diff(id).flatMap(d -> {
                if (d.isEmpty()) {
                    throw new ApprovalException(new Status(410, "Gone", "the full diff of approval request " + id
                            + " is no longer kept", null).withDetails(id, "approvals"));
                }
                FullDiffView view = new FullDiffView(id, d.get().entries().size(), true, d.get().entries(), r.summary(), r.changesNote());
                return viewedBy(id, approver, 0).replaceWith(view);
            });
        });
    }

    /** Notes that {@code approver} saw the full diff of a pending request (once). */
    private Uni<Void> viewedBy(String id, Approver approver, int attempt) {
        return records.get(id).flatMap(found -> {
            if (found.isEmpty() || !found.get().request().pending() || found.get().request().fullDiffViewedBy().contains(approver.name())) {
                return Uni.createFrom().voidItem();
            }
            ApprovalRequest next = found.get().request().withFullDiffViewer(approver.name());
            return records.update(found.get(), next)
                    .call(u -> record(event("approval.diff-viewed", next, approver.name(),
                            Map.of("approver", approver.name(), "realm", approver.realm(), "changes", Integer.toString(next.changesTotal())))))
                    .replaceWith(Uni.createFrom().voidItem())
                    .onFailure(StoreConflictException.class).recoverWithUni(conflict -> attempt < 5
                            ? viewedBy(id, approver, attempt + 1)
                            : Uni.createFrom().failure(new ApprovalException(new Status(409, "Conflict",
                            "approval request " + id + " is changing too fast; retry", null))));
        });
    }

    /** Requests, newest first, optionally of one status (an expired-but-unswept pending one counts as expired). */
    public Uni<List<ApprovalRequest>> list(Optional<String> status) {
        Instant now = now();
        return records.list().map(all -> all.stream().map(v -> effective(v.request(), now))
                .filter(r -> status.isEmpty() || status.get().equals(r.status()))
                .sorted(Comparator.comparing(ApprovalRequest::createdAt).reversed())
                .toList());
    }

    public Uni<Optional<ApprovalRequest>> get(String id) {
        Instant now = now();
        return records.get(id).map(o -> o.map(v -> effective(v.request(), now)));
    }

    /** The status as of {@code now}, whether or not a sweep has written it yet. */
    ApprovalRequest effective(ApprovalRequest r, Instant now) {
        if (r.pending() && !now.isBefore(r.decideBy())) {
            return r.withStatus(ApprovalRequest.EXPIRED);
        }
        if (ApprovalRequest.APPROVED.equals(r.status()) && !r.grantActive(now)) {
            return r.withStatus(r.uses() > 0 ? ApprovalRequest.USED : ApprovalRequest.EXPIRED);
        }
        return r;
    }

    /** Writes the end of requests and grants that ran out; each recorded by the replica whose write wins. */
    Uni<Integer> sweep() {
        if (!store.available()) {
            return Uni.createFrom().item(0);
        }
        Instant now = now();
        return records.list().flatMap(all -> {
            List<Uni<Boolean>> ends = new ArrayList<>();
            for (ApprovalRecords.Versioned v : all) {
                ApprovalRequest e = effective(v.request(), now);
                if (!e.status().equals(v.request().status())) {
                    ends.add(records.update(v, e)
                            .call(u -> record(event("approval.expired", e, "kubegate",
                                    Map.of("was", v.request().status(), "now", e.status(), "uses", Integer.toString(e.uses())))))
                            .replaceWith(true)
                            .onFailure(StoreConflictException.class).recoverWithItem(false));
                }
            }
            return ends.isEmpty() ? Uni.createFrom().item(0)
                    : Uni.join().all(ends).andCollectFailures().map(r -> (int) r.stream().filter(b -> b).count());
        });
    }

    /** Records a notification delivery on the request (best effort) and fires {@code approval.notified}. */
    Uni<Void> notified(String id, ApprovalRequest.Notification n) {
        // Deferred, so each retry re-reads the current version.
        Uni<Void> write = Uni.createFrom().deferred(() -> records.get(id).flatMap(o -> o.isEmpty() ? Uni.createFrom().voidItem()
                        : records.update(o.get(), o.get().request().withNotification(n)).replaceWithVoid()))
                .onFailure(StoreConflictException.class).retry().atMost(5);
        return write.flatMap(x -> records.get(id)).flatMap(o -> o.isEmpty() ? Uni.createFrom().voidItem()
                : record(event("approval.notified", o.get().request(), "kubegate", Map.of("event", n.event(),
                "delivered", Boolean.toString(n.delivered()), "attempts", Integer.toString(n.attempts()),
                "error", n.error() == null ? "" : n.error()))));
    }

    LifecycleEvent event(String type, ApprovalRequest r, String actor, Map<String, String> details) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("approval", r.id());
        all.put("request", r.request().describe());
        all.putAll(details);
        return new LifecycleEvent(type, now(), r.requester().principal(), r.requester().sessionId(), actor, all);
    }

    /** Fires {@code e} synchronously on a worker thread; fails when an observer (the audit trail) fails. */
    Uni<Void> record(LifecycleEvent e) {
        return Uni.createFrom().<Void>item(() -> {
            lifecycle.fire(e);
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** Status for a store failure: the caller fails closed. */
    static Status unavailable(Throwable e) {
        if (e instanceof StoreUnavailableException) {
            return Status.serviceUnavailable("kubegate cannot reach its approval state (" + Status.describe(e)
                    + "), so the call is refused; retry shortly");
        }
        return Status.serviceUnavailable("kubegate could not record or look up the approval for this call (" + e
                + "), so the call is refused; retry shortly");
    }
}
