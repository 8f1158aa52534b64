package dev.kubegate.identity.session;

import dev.kubegate.k8s.Status;
import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.store.StateStore;
import dev.kubegate.store.StoreConflictException;
import io.smallrye.mutiny.Uni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents that send their own credential (static token, {@code k8s-aws-v1.} token, service-account
 * or OIDC JWT) straight to the Kubernetes API still act within a session, so that revocation,
 * suspension, counters and audit work the same for them.
 *
 * <p>The session is derived, not issued: its id is a digest of (principal kind and id, credential
 * digest, TTL window), so every replica derives the same id for the same credential in the same
 * window without coordinating. It expires at the end of the window ({@code session.ttl} long,
 * aligned to the epoch) or at the credential's own expiry, whichever is first; then the credential
 * gets the next window's session. Revoking an implicit session therefore refuses that credential
 * until the window ends; to cut a credential off for good, suspend the identity. The first request
 * of a session on a replica writes its record (one store call per session, not per request).
 */
public final class ImplicitSessions implements Authenticator {

    private final AuthenticatorChain agents;
    private final StateStore store;
    private final SessionView view;
    private final LifecycleSink events;
    private final Clock clock;
    private final Duration ttl;
    /** Sessions whose record is known to exist, by id, with their expiry. */
    private final Map<String, Instant> recorded = new ConcurrentHashMap<>();

    public ImplicitSessions(AuthenticatorChain agents, StateStore store, SessionView view, LifecycleSink events,
                            Clock clock, Duration ttl) {
        this.agents = agents;
        this.store = store;
        this.view = view;
        this.events = events;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public Uni<Optional<Principal>> authenticate(String bearerToken) {
        return agents.authenticate(Optional.of(bearerToken)).flatMap(p -> {
            Instant now = clock.instant();
            long window = ttl.toMillis();
            long start = now.toEpochMilli() / window * window;
            Instant expiresAt = Instant.ofEpochMilli(start + window);
            Optional<Instant> credentialExpiry = CredentialExpiry.of(bearerToken);
            if (credentialExpiry.isPresent() && credentialExpiry.get().isBefore(expiresAt)) {
                expiresAt = credentialExpiry.get();
            }
            if (!expiresAt.isAfter(now)) {
                return Uni.createFrom().failure(AuthenticationException.invalid("the credential has expired"));
            }
            String id = "i-" + digest(p.kind() + "\n" + p.id() + "\n" + digest(bearerToken) + "\n" + start).substring(0, 30);
            SessionRecord record = new SessionRecord(id, p.id(), p.name(), p.kind(), p.groups(), Map.of("implicit", "true"),
                    null, true, now, expiresAt, null, null, null);
            Uni<Void> ensured = recorded.containsKey(id) ? Uni.createFrom().voidItem() : ensureRecorded(record);
            return ensured.map(v -> {
                switch (view.check(id, p.name())) {
                    case STALE -> throw AuthenticationException.unavailable(
                            "the session state store is unreachable, so revocations cannot be checked", null);
                    case SUSPENDED -> throw AuthenticationException.invalid("identity " + p.name() + " is suspended");
                    case REVOKED -> throw AuthenticationException.invalid("session " + id + " (implicit, for this credential) was revoked");
                    case IDLE -> throw AuthenticationException.invalid("session " + id + " was idle longer than kubegate.session.idle-timeout");
                    case OK -> {
                    }
                }
                view.touch(id);
                return Optional.of(new Principal(p.id(), p.name(), p.kind(), p.groups(),
                        Optional.of(new Principal.Session(id, record.labels(), record.expiresAt()))));
            });
        });
    }

    private Uni<Void> ensureRecorded(SessionRecord record) {
        if (view.isSuspended(record.principalName())) {
            return Uni.createFrom().failure(AuthenticationException.invalid("identity " + record.principalName() + " is suspended"));
        }
        return store.create(SessionRecord.KIND, record.id(), Json.write(record), record.expiresAt())
                .flatMap(d -> {
                    view.put(record);
                    return events.fire(new LifecycleEvent("session.login", record.createdAt(), record.principalName(),
                            record.id(), record.principalName(), Map.of("implicit", "true", "kind", record.kind(),
                            "expiresAt", record.expiresAt().toString())));
                })
                .onFailure(StoreConflictException.class).recoverWithItem(e -> null) // another replica (or request) made it
                .invoke(() -> {
                    purge();
                    recorded.put(record.id(), record.expiresAt());
                })
                .onFailure().transform(e -> e instanceof AuthenticationException ? e
                        : AuthenticationException.unavailable("cannot record the session: " + Status.describe(e), e));
    }

    private void purge() {
        if (recorded.size() > 10_000) {
            Instant now = clock.instant();
            recorded.values().removeIf(until -> !until.isAfter(now));
        }
    }

    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
