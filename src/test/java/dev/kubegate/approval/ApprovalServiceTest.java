package dev.kubegate.approval;

import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.store.InMemoryStateStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Event;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of approval over an in-memory store: dedup, who may decide, grants, expiry, fail closed. */
class ApprovalServiceTest {

    static final Approver BOB = new Approver("bob", List.of("sre"), "test");
    static final Approver CAROL = new Approver("carol", List.of("sre", "dba"), "test");
    static final Approver ALICE = new Approver("alice", List.of("sre"), "test");
    static final Approver DAVE = new Approver("dave", List.of("dev"), "test");

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    volatile boolean auditBroken;
    volatile String webhook;
    ApprovalNotifier notifier;
    ApprovalService service;

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @SuppressWarnings("unchecked")
    @BeforeEach
    void setUp() {
        KubegateConfig.Approval approval = (KubegateConfig.Approval) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{KubegateConfig.Approval.class}, (p, m, a) -> switch (m.getName()) {
                    case "holdFor" -> Duration.ofSeconds(30);
                    case "requestTtl" -> Duration.ofHours(1);
                    case "retention" -> Duration.ofHours(24);
                    case "publicUrl" -> Optional.empty();
                    case "webhookUrl" -> Optional.ofNullable(webhook).map(java.net.URI::create);
                    case "webhookAttempts" -> 3;
                    case "maxPending" -> 3;
                    case "slack" -> Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{KubegateConfig.Approval.Slack.class},
                            (p2, m2, a2) -> m2.getName().equals("responseUrlPrefixes") ? List.of() : Optional.empty());
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        KubegateConfig config = (KubegateConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{KubegateConfig.class}, (p, m, a) -> {
                    if (m.getName().equals("approval")) return approval;
                    throw new UnsupportedOperationException(m.getName());
                });
        service = new ApprovalService();
        service.store = new InMemoryStateStore(clock);
        service.config = config;
        service.clock = clock;
        service.lifecycle = (Event<LifecycleEvent>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Event.class},
                (p, m, a) -> {
                    if (m.getName().equals("fire")) {
                        if (auditBroken) throw new IllegalStateException("audit trail unavailable");
                        events.add((LifecycleEvent) a[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        notifier = new ApprovalNotifier();
        notifier.config = config;
        notifier.service = service;
        service.notifier = notifier;
        service.init();
    }

    static ApprovalRequest.Call call(String path, String scope) {
        return CallDigest.of("DELETE", path, QueryParams.empty(), "application/json", "{}".getBytes(StandardCharsets.UTF_8), scope);
    }

    ApprovalRequest draft(ApprovalRequest.Call call, int approvers, long ttlSeconds) {
        Instant now = clock.instant();
        return new ApprovalRequest(ApprovalService.newId(), ApprovalRequest.PENDING, now, now.plus(Duration.ofHours(1)),
                new ApprovalRequest.Requester("alice", "alice-uid", "static", List.of("agents"), null, Map.of("task", "cleanup"), "cleanup"),
                new ApprovalRequest.Request("delete", "", "v1", "namespaces", "", "", "x", "delete namespaces x"),
                call, List.of("deleting a namespace needs approval"), "", List.of("sre"), approvers, ttlSeconds,
                null, 0, null, List.of(), null, null, "https://kubegate/kubegate/ui/#/approvals/x",
                List.of(), 0, null);
    }

    ApprovalService.Covering cover(ApprovalRequest.Call c, int approvers, long ttl) {
        return service.covering(c, () -> Uni.createFrom().item(draft(c, approvers, ttl))).await().indefinitely();
    }

    String types() {
        return events.stream().map(LifecycleEvent::type).toList().toString();
    }

    @Test
    void identicalCallsOfOneSessionShareOneRequestOthersDoNot() {
        ApprovalService.Covering first = cover(call("/api/v1/namespaces/x", "session:s1"), 1, 900);
        ApprovalService.Covering again = cover(call("/api/v1/namespaces/x", "session:s1"), 1, 900);
        ApprovalService.Covering otherSession = cover(call("/api/v1/namespaces/x", "session:s2"), 1, 900);
        ApprovalService.Covering otherCall = cover(call("/api/v1/namespaces/y", "session:s1"), 1, 900);
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.current().request().id()).isEqualTo(first.current().request().id());
        assertThat(otherSession.current().request().id()).isNotEqualTo(first.current().request().id());
        assertThat(otherCall.current().request().id()).isNotEqualTo(first.current().request().id());
        assertThat(events.stream().filter(e -> e.type().equals("approval.requested")).count()).isEqualTo(3);
    }

    @Test
    void onlyOthersInTheGroupsDecideAndTwoApproversMeanTwoPeople() {
        String id = cover(call("/api/v1/namespaces/x", "session:s1"), 2, 900).current().request().id();
        assertThatThrownBy(() -> service.decide(id, ALICE, true, "").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().message()).contains("nobody approves their own request"));
        assertThatThrownBy(() -> service.decide(id, DAVE, true, "").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(403));
        assertThatThrownBy(() -> service.decide(id, BOB, false, " ").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(400));
        assertThat(service.decide(id, BOB, true, "ok").await().indefinitely().status()).isEqualTo(ApprovalRequest.PENDING);
        assertThatThrownBy(() -> service.decide(id, BOB, true, "again").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(409));
        ApprovalRequest approved = service.decide(id, CAROL, true, "").await().indefinitely();
        assertThat(approved.status()).isEqualTo(ApprovalRequest.APPROVED);
        assertThat(approved.grantUntil()).isEqualTo(clock.instant().plusSeconds(900));
        assertThatThrownBy(() -> service.decide(id, CAROL, false, "late").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(409));
        assertThat(types()).isEqualTo("[approval.requested, approval.approved, approval.approved]");
        assertThat(events.get(2).actor()).isEqualTo("carol");
        assertThat(events.get(2).details()).containsEntry("approvals", "2/2").containsEntry("approval", id);
    }

    @Test
    void aCutDiffIsApprovedOnlyByAnApproverWhoFetchedTheFullDiff() {
        ApprovalRequest.Call c = call("/api/v1/namespaces/x", "session:s1");
        List<ObjectDiff.Entry> full = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            full.add(new ObjectDiff.Entry("add", "/metadata/annotations/a" + i, null, "\"v\""));
        }
        full.add(new ObjectDiff.Entry("add", "/rules/0", null, "{\"verbs\":[\"*\"]}"));
        ApprovalRequest base = draft(c, 2, 0);
        List<ObjectDiff.Entry> shown = ObjectDiff.shown(full);
        ApprovalRequest cut = new ApprovalRequest(base.id(), base.status(), base.createdAt(), base.decideBy(), base.requester(),
                base.request(), base.call(), base.reasons(), base.approvalReason(), base.approverGroups(), base.requiredApprovers(),
                base.grantTtlSeconds(), null, 0, null, shown, "cut", null, base.url(), List.of(), full.size(), null);
        String id = service.covering(c, () -> service.records().createDiff(base.id(), full, base.decideBy()).replaceWith(cut))
                .await().indefinitely().current().request().id();
        assertThat(cut.diffTruncated()).isTrue();
        assertThatThrownBy(() -> service.decide(id, BOB, true, "").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(409);
                    assertThat(e.status().message()).contains("151 changes").contains("kubegate approvals show " + id);
                });
        ApprovalService.FullDiffView view = service.fullDiff(id, BOB).await().indefinitely();
        assertThat(view.entries()).hasSize(151).last().extracting(ObjectDiff.Entry::value).isEqualTo("{\"verbs\":[\"*\"]}");
        assertThat(service.get(id).await().indefinitely().orElseThrow().fullDiffViewedBy()).containsExactly("bob");
        assertThat(service.decide(id, BOB, true, "seen it all").await().indefinitely().approvals()).isEqualTo(1);
        // Seeing it once does not let another approver skip it.
        assertThatThrownBy(() -> service.decide(id, CAROL, true, "").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(409));
        // Denying needs no full view: refusing is always safe.
        assertThat(service.decide(id, CAROL, false, "too much at once").await().indefinitely().status()).isEqualTo(ApprovalRequest.DENIED);
        assertThat(types()).contains("approval.diff-viewed");
    }

    @Test
    void aOnceGrantIsUsedByExactlyOneCallEvenFromStaleReads() {
        ApprovalRequest.Call c = call("/api/v1/namespaces/x", "session:s1");
        String id = cover(c, 1, 0).current().request().id();
        service.decide(id, BOB, true, "").await().indefinitely();
        ApprovalRecords.Versioned seenByA = service.records().get(id).await().indefinitely().orElseThrow();
        ApprovalRecords.Versioned seenByB = service.records().get(id).await().indefinitely().orElseThrow();
        assertThat(service.consume(seenByA).await().indefinitely()).isPresent();
        assertThat(service.consume(seenByB).await().indefinitely()).as("the second replica loses the compare-and-set").isEmpty();
        assertThat(service.get(id).await().indefinitely().orElseThrow().status()).isEqualTo(ApprovalRequest.USED);
        // The used request no longer covers the call: the next identical call asks again.
        assertThat(cover(c, 1, 0).created()).isTrue();
    }

    @Test
    void aTtlGrantCoversRepeatsUntilItEnds() {
        ApprovalRequest.Call c = call("/api/v1/namespaces/x", "session:s1");
        String id = cover(c, 1, 600).current().request().id();
        service.decide(id, BOB, true, "").await().indefinitely();
        for (int i = 0; i < 3; i++) {
            ApprovalService.Covering again = cover(c, 1, 600);
            assertThat(again.current().request().id()).isEqualTo(id);
            assertThat(service.consume(again.current()).await().indefinitely()).isPresent();
        }
        clock.now = clock.now.plusSeconds(601);
        assertThat(cover(c, 1, 600).created()).isTrue();
        assertThat(service.sweep().await().indefinitely()).isEqualTo(1);
        assertThat(service.get(id).await().indefinitely().orElseThrow().status()).isEqualTo(ApprovalRequest.USED);
        assertThat(events.stream().filter(e -> e.type().equals("approval.used")).count()).isEqualTo(3);
    }

    @Test
    void pendingRequestsExpireOnceAndCannotBeDecidedAfter() {
        String id = cover(call("/api/v1/namespaces/x", "session:s1"), 1, 600).current().request().id();
        clock.now = clock.now.plus(Duration.ofHours(1));
        assertThatThrownBy(() -> service.decide(id, BOB, true, "").await().indefinitely())
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().message()).contains("expired"));
        assertThat(service.list(Optional.of("expired")).await().indefinitely()).extracting(ApprovalRequest::id).containsExactly(id);
        assertThat(service.sweep().await().indefinitely()).isEqualTo(1);
        assertThat(service.sweep().await().indefinitely()).isZero();
        assertThat(events.stream().filter(e -> e.type().equals("approval.expired")).count()).isEqualTo(1);
    }

    @Test
    void oneRequesterCannotFloodApprovers() {
        for (int i = 0; i < 3; i++) {
            cover(call("/api/v1/namespaces/n" + i, "session:s1"), 1, 600);
        }
        assertThatThrownBy(() -> cover(call("/api/v1/namespaces/n9", "session:s1"), 1, 600))
                .isInstanceOfSatisfying(ApprovalException.class, e -> assertThat(e.status().code()).isEqualTo(429));
        assertThat(cover(call("/api/v1/namespaces/n0", "session:s1"), 1, 600).created()).as("an existing one is still found").isFalse();
        assertThat(cover(call("/api/v1/namespaces/n9", "session:s2"), 1, 600).created()).isTrue();
    }

    @Test
    void webhookFailuresAreRetriedAndEveryOutcomeIsRecorded() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(calls.incrementAndGet() < 3 ? 500 : 200, -1);
            ex.close();
        });
        server.start();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            notifier.vertx = vertx;
            webhook = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            String id = cover(call("/api/v1/namespaces/x", "session:s1"), 1, 600).current().request().id();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    service.get(id).await().indefinitely().orElseThrow().notifications().size() == 1);
            ApprovalRequest.Notification n = service.get(id).await().indefinitely().orElseThrow().notifications().get(0);
            assertThat(n.delivered()).isTrue();
            assertThat(n.attempts()).isEqualTo(3);
            assertThat(bodies).hasSize(3).allSatisfy(b -> assertThat(b).contains("\"blocks\"").contains(id));
            assertThat(events).anySatisfy(e -> {
                assertThat(e.type()).isEqualTo("approval.notified");
                assertThat(e.details()).containsEntry("attempts", "3").containsEntry("delivered", "true");
            });

            // A webhook that never answers well: the failure is kept on the request, the decision is not held up.
            calls.set(-100);
            ApprovalRequest denied = service.decide(id, BOB, false, "no").await().indefinitely();
            assertThat(denied.status()).isEqualTo(ApprovalRequest.DENIED);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                    service.get(id).await().indefinitely().orElseThrow().notifications().size() == 2);
            ApprovalRequest.Notification failed = service.get(id).await().indefinitely().orElseThrow().notifications().get(1);
            assertThat(failed.delivered()).isFalse();
            assertThat(failed.error()).contains("HTTP 500");
            assertThat(failed.event()).isEqualTo("denied");
        } finally {
            server.stop(0);
            vertx.close();
        }
    }

    @Test
    void withoutAnAuditTrailNothingIsRequestedOrApproved() {
        auditBroken = true;
        assertThatThrownBy(() -> cover(call("/api/v1/namespaces/x", "session:s1"), 1, 600))
                .hasMessageContaining("audit trail unavailable");
    }
}
