package dev.kubegate.identity.session;

import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.Status;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import dev.kubegate.store.StoreUnavailableException;
import io.smallrye.mutiny.Uni;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the session endpoints do: issue a session for an authenticated agent, revoke one, list them,
 * suspend and resume an identity. Every change goes to the state store first (so all replicas see
 * it through their change feed) and is reported as a {@link LifecycleEvent}.
 */
public final class SessionService {

    /** A new session and its token. */
    public record Issued(SessionRecord session, String token) {
    }

    private static final int MAX_CAS_RETRIES = 5;

    private final StateStore store;
    private final SessionTokens tokens;
    private final SessionView view;
    private final LifecycleSink events;
    private final Clock clock;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final SecureRandom random = new SecureRandom();

    public SessionService(StateStore store, SessionTokens tokens, SessionView view, LifecycleSink events, Clock clock,
                          Duration defaultTtl, Duration maxTtl) {
        this.store = store;
        this.tokens = tokens;
        this.view = view;
        this.events = events;
        this.clock = clock;
        this.defaultTtl = defaultTtl.compareTo(maxTtl) > 0 ? maxTtl : defaultTtl;
        this.maxTtl = maxTtl;
    }

    /**
     * A session for {@code agent}, authenticated with {@code credential}: the asked TTL (or the
     * default), capped by {@code session.max-ttl} and by the credential's own expiry.
     */
    public Uni<Issued> create(Principal agent, String credential, SessionRequest request) {
        if (view.isSuspended(agent.name())) {
            return Uni.createFrom().failure(new SessionException(Status.forbidden(
                    "identity " + agent.name() + " is suspended: it cannot start sessions until an admin resumes it")));
        }
        Instant now = clock.instant();
        Duration ttl = request.ttl().orElse(defaultTtl);
        if (ttl.compareTo(maxTtl) > 0) {
            ttl = maxTtl;
        }
        Instant expiresAt = now.plus(ttl);
        Optional<Instant> credentialExpiry = CredentialExpiry.of(credential);
        if (credentialExpiry.isPresent() && credentialExpiry.get().isBefore(expiresAt)) {
            expiresAt = credentialExpiry.get();
        }
        if (!expiresAt.isAfter(now)) {
            return Uni.createFrom().failure(new SessionException(Status.unauthorized("Unauthorized: the credential has expired")));
        }
        // Whole seconds: JWT times and expirationTimestamp have no fractions.
        expiresAt = Instant.ofEpochSecond(expiresAt.getEpochSecond());
        now = Instant.ofEpochSecond(now.getEpochSecond());
        SessionRecord record = new SessionRecord(newId(), agent.id(), agent.name(), agent.kind(), agent.groups(),
                request.labels(), request.justification(), false, now, expiresAt, null, null, null);
        String token = tokens.sign(record.claims());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("kind", agent.kind());
        details.put("expiresAt", expiresAt.toString());
        record.labels().forEach((k, v) -> details.put("label." + k, v));
        if (record.justification() != null) details.put("justification", record.justification());
        return store.create(SessionRecord.KIND, record.id(), Json.write(record), record.expiresAt())
                .onFailure().transform(SessionService::storeFailure)
                .invoke(d -> view.put(record))
                .flatMap(d -> events.fire(new LifecycleEvent("session.login", record.createdAt(), agent.name(), record.id(),
                        agent.name(), details)))
                .map(v -> new Issued(record, token));
    }

    /** Revokes a session; idempotent. {@code actor} is the admin or the session's own principal. */
    public Uni<SessionRecord> revoke(String id, String actor, String reason) {
        return revokeAttempt(id, actor, reason, 0);
    }

    private Uni<SessionRecord> revokeAttempt(String id, String actor, String reason, int attempt) {
        return store.get(SessionRecord.KIND, id).onFailure().transform(SessionService::storeFailure).flatMap(doc -> {
            if (doc.isEmpty()) {
                return Uni.createFrom().failure(new SessionException(Status.notFound("session " + id + " does not exist or has expired")));
            }
            SessionRecord s = Json.read(doc.get().json(), SessionRecord.class);
            if (s.revoked()) {
                return Uni.createFrom().item(s);
            }
            SessionRecord revoked = s.revoke(clock.instant(), actor);
            return store.update(SessionRecord.KIND, id, doc.get().version(), Json.write(revoked), doc.get().expiresAt())
                    .invoke(d -> view.put(revoked))
                    .flatMap(d -> events.fire(new LifecycleEvent("session.revoked", revoked.revokedAt(), s.principalName(), id,
                            actor, reason == null ? Map.of() : Map.of("reason", reason))))
                    .replaceWith(revoked)
                    .onFailure(StoreConflictException.class).recoverWithUni(e -> attempt < MAX_CAS_RETRIES
                            ? revokeAttempt(id, actor, reason, attempt + 1)
                            : Uni.createFrom().failure(new SessionException(Status.serviceUnavailable(
                                    "session " + id + " keeps changing; retry the revocation"))))
                    .onFailure(e -> !(e instanceof SessionException)).transform(SessionService::storeFailure);
        });
    }

    /** Sessions that have neither expired nor been revoked, oldest first. */
    public Uni<List<SessionRecord>> active() {
        return store.list(SessionRecord.KIND).onFailure().transform(SessionService::storeFailure).map(docs -> {
            List<SessionRecord> out = new ArrayList<>();
            for (StateStore.Document d : docs) {
                SessionRecord s = Json.read(d.json(), SessionRecord.class);
                if (!s.revoked()) out.add(s);
            }
            out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
            return out;
        });
    }

    public Uni<Map<String, Long>> counters(String sessionId) {
        return store.counters(SessionCounters.sessionKey(sessionId)).onFailure().transform(SessionService::storeFailure);
    }

    /**
     * Suspends an identity: refused from now on (sessions and direct credentials), its issued sessions
     * revoked for good. Answers the number revoked.
     */
    public Uni<Integer> suspend(String name, String actor, String reason) {
        Suspension s = new Suspension(name, clock.instant(), actor, reason);
        return store.create(Suspension.KIND, name, Json.write(s), null)
                .replaceWith(true)
                .onFailure(StoreConflictException.class).recoverWithItem(false) // already suspended: revoke stragglers anyway
                .onFailure().transform(SessionService::storeFailure)
                .invoke(created -> view.putSuspension(s))
                .flatMap(created -> active().flatMap(sessions -> {
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (SessionRecord r : sessions) {
                        // Implicit sessions are not revoked: the suspension refuses them while it lasts, and
                        // a revoked one would keep refusing the credential after a resume until its window ends.
                        if (r.principalName().equals(name) && !r.implicit()) {
                            chain = chain.flatMap(n -> revoke(r.id(), actor, "identity suspended").replaceWith(n + 1)
                                    .onFailure(SessionException.class).recoverWithItem(n));
                        }
                    }
                    return chain.flatMap(n -> !created ? Uni.createFrom().item(n)
                            : events.fire(new LifecycleEvent("identity.suspended", s.suspendedAt(), name, null, actor,
                            reason == null ? Map.of("sessionsRevoked", Integer.toString(n))
                                    : Map.of("sessionsRevoked", Integer.toString(n), "reason", reason))).replaceWith(n));
                }));
    }

    /** Lifts a suspension; false when the identity was not suspended. Revoked sessions stay revoked. */
    public Uni<Boolean> resume(String name, String actor) {
        return store.delete(Suspension.KIND, name).onFailure().transform(SessionService::storeFailure).flatMap(removed -> {
            view.removeSuspension(name);
            return removed ? events.fire(new LifecycleEvent("identity.resumed", clock.instant(), name, null, actor, Map.of()))
                    .replaceWith(true) : Uni.createFrom().item(false);
        });
    }

    public Uni<List<Suspension>> suspended() {
        return store.list(Suspension.KIND).onFailure().transform(SessionService::storeFailure)
                .map(docs -> docs.stream().map(d -> Json.read(d.json(), Suspension.class)).toList());
    }

    private String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Throwable storeFailure(Throwable e) {
        if (e instanceof SessionException) {
            return e;
        }
        String why = e instanceof StoreUnavailableException ? e.getMessage() : e.toString();
        return new SessionException(Status.serviceUnavailable("the session state store cannot answer, so this is refused: " + why));
    }
}
