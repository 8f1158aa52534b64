package dev.kubegate.identity.session;

import dev.kubegate.testing.MutableClock;
import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.StaticTokenAuthenticator;
import dev.kubegate.identity.TokenFileFixture;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two replicas (A and B) sharing one store: sessions, revocation, suspension, idle timeout, fail closed. */
class SessionLifecycleTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T08:00:00Z"));
    final FlakyStore store = new FlakyStore(clock);
    final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    final Principal agent = new Principal("ci-uid", "ci", "static", List.of("agents"), Optional.empty());

    Replica a;
    Replica b;

    /** One replica's session machinery. */
    final class Replica {
        final KeyRing ring = new KeyRing();
        final SessionTokens tokens = new SessionTokens(ring, clock);
        final StoreKeySource keys = new StoreKeySource(store, ring, clock, Duration.ofHours(24), Duration.ofHours(1));
        final SessionView view;
        final SessionAuthenticator authenticator;
        final SessionService service;

        Replica(Duration idle) {
            LifecycleSink sink = e -> {
                events.add(e);
                return Uni.createFrom().voidItem();
            };
            view = new SessionView(store, clock, idle, Duration.ofSeconds(2));
            keys.start().await().indefinitely();
            view.start().await().indefinitely();
            authenticator = new SessionAuthenticator(tokens, keys, view, sink, clock);
            service = new SessionService(store, tokens, view, sink, clock, Duration.ofMinutes(15), Duration.ofHours(1));
        }

        Principal authenticate(String token) {
            return authenticator.authenticate(token).await().indefinitely().orElseThrow();
        }
    }

    @BeforeEach
    void replicas() {
        a = new Replica(Duration.ZERO);
        b = new Replica(Duration.ZERO);
    }

    static AuthenticationException refusal(Runnable r) {
        try {
            r.run();
        } catch (AuthenticationException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aSessionIssuedOnOneReplicaWorksOnTheOtherAndARevocationStopsItOnBoth() {
        SessionService.Issued issued = a.service.create(agent, "static-token",
                new SessionRequest(Optional.of(Duration.ofMinutes(5)), Map.of("task", "T-1"), "deploy")).await().indefinitely();
        assertThat(issued.session().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        Principal p = b.authenticate(issued.token());
        assertThat(p.name()).isEqualTo("ci");
        assertThat(p.session().orElseThrow().id()).isEqualTo(issued.session().id());
        assertThat(p.session().orElseThrow().labels()).containsEntry("task", "T-1");
        assertThat(events).extracting(LifecycleEvent::type).containsExactly("session.login");

        b.service.revoke(issued.session().id(), "alice", "test").await().indefinitely();
        AuthenticationException onA = refusal(() -> a.authenticate(issued.token()));
        assertThat(onA.unavailable()).isFalse();
        assertThat(onA.getMessage()).contains("revoked");
        assertThat(refusal(() -> b.authenticate(issued.token())).getMessage()).contains("revoked");
        assertThat(events).extracting(LifecycleEvent::type).containsExactly("session.login", "session.revoked");
        // Revoking again is idempotent and reports nothing new.
        b.service.revoke(issued.session().id(), "alice", "again").await().indefinitely();
        assertThat(events).hasSize(2);
    }

    @Test
    void ttlIsCappedByMaxTtlAndTheCredentialsOwnExpiry() throws Exception {
        var huge = a.service.create(agent, "static", new SessionRequest(Optional.of(Duration.ofHours(10)), Map.of(), null))
                .await().indefinitely();
        assertThat(huge.session().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        var byDefault = a.service.create(agent, "static", SessionRequest.EMPTY).await().indefinitely();
        assertThat(byDefault.session().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        // A JWT credential expiring in 2 minutes caps the session at 2 minutes.
        long exp = clock.instant().plusSeconds(120).getEpochSecond();
        String jwt = "eyJhbGciOiJSUzI1NiJ9." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"sub\":\"x\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".c2ln";
        var capped = a.service.create(agent, jwt, SessionRequest.EMPTY).await().indefinitely();
        assertThat(capped.session().expiresAt()).isEqualTo(Instant.ofEpochSecond(exp));
    }

    @Test
    void suspensionRevokesEverySessionOfThePrincipalAndRefusesNewOnesUntilResumed() {
        var s1 = a.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely();
        var s2 = b.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely();
        Principal other = new Principal("bob-uid", "bob", "static", List.of(), Optional.empty());
        var s3 = a.service.create(other, "t", SessionRequest.EMPTY).await().indefinitely();

        assertThat(a.service.suspend("ci", "alice", "incident").await().indefinitely()).isEqualTo(2);
        for (Replica r : List.of(a, b)) {
            assertThat(refusal(() -> r.authenticate(s1.token())).getMessage()).contains("suspended");
            assertThat(refusal(() -> r.authenticate(s2.token())).getMessage()).contains("suspended");
            assertThat(r.authenticate(s3.token()).name()).isEqualTo("bob");
        }
        assertThatThrownBy(() -> b.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely())
                .isInstanceOf(SessionException.class).satisfies(e -> assertThat(((SessionException) e).status().code()).isEqualTo(403));

        assertThat(b.service.resume("ci", "alice").await().indefinitely()).isTrue();
        // Killed sessions stay dead; new ones work.
        assertThat(refusal(() -> a.authenticate(s1.token())).getMessage()).contains("revoked");
        var s4 = b.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely();
        assertThat(a.authenticate(s4.token()).name()).isEqualTo("ci");
        assertThat(events).extracting(LifecycleEvent::type).contains("identity.suspended", "identity.resumed", "session.revoked");
    }

    @Test
    void expiredTokensAreRefusedAndTheExpiryReportedOnce() {
        var s = a.service.create(agent, "t", new SessionRequest(Optional.of(Duration.ofSeconds(3)), Map.of(), null)).await().indefinitely();
        assertThat(a.authenticate(s.token()).name()).isEqualTo("ci");
        clock.advance(Duration.ofSeconds(3));
        assertThat(refusal(() -> a.authenticate(s.token())).getMessage()).contains("expired");
        assertThat(refusal(() -> a.authenticate(s.token())).getMessage()).contains("expired");
        assertThat(events).extracting(LifecycleEvent::type).containsExactly("session.login", "session.expired");
    }

    @Test
    void idleSessionsAreRefusedAcrossReplicas() {
        Replica idleA = new Replica(Duration.ofMinutes(10));
        Replica idleB = new Replica(Duration.ofMinutes(10));
        var s = idleA.service.create(agent, "t", new SessionRequest(Optional.of(Duration.ofHours(1)), Map.of(), null))
                .await().indefinitely();
        clock.advance(Duration.ofMinutes(6));
        idleA.authenticate(s.token()); // > idle/4 since creation: A records the activity in the store
        clock.advance(Duration.ofMinutes(6));
        // 12 minutes after creation, 6 after the last call (on A): B still accepts it.
        assertThat(idleB.authenticate(s.token()).name()).isEqualTo("ci");
        clock.advance(Duration.ofMinutes(11));
        assertThat(refusal(() -> idleA.authenticate(s.token())).getMessage()).contains("idle");
    }

    @Test
    void aViewCutOffFromTheStoreFailsClosedAfterTheBoundAndRecovers() {
        var s = a.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely();
        store.down = true;
        a.view.poll();
        assertThat(a.authenticate(s.token()).name()).isEqualTo("ci"); // within the staleness bound
        clock.advance(Duration.ofSeconds(3));
        AuthenticationException e = refusal(() -> a.authenticate(s.token()));
        assertThat(e.unavailable()).isTrue();
        // Meanwhile another replica revoked it (the feed to A was lost): A's reload must see it.
        store.down = false;
        b.service.revoke(s.session().id(), "alice", null).await().indefinitely();
        a.view.poll();
        assertThat(refusal(() -> a.authenticate(s.token())).getMessage()).contains("revoked");
    }

    @Test
    void aResyncReloadsWhatTheFeedMissed() {
        var s = a.service.create(agent, "t", SessionRequest.EMPTY).await().indefinitely();
        store.mute = true; // the feed loses B's revocation
        b.service.revoke(s.session().id(), "alice", null).await().indefinitely();
        store.mute = false;
        assertThat(a.authenticate(s.token()).name()).isEqualTo("ci");
        store.resync();
        assertThat(refusal(() -> a.authenticate(s.token())).getMessage()).contains("revoked");
    }

    @Test
    void directCredentialsGetADeterministicImplicitSessionPerWindow() throws Exception {
        AuthenticatorChain agents = new AuthenticatorChain(List.of(new StaticTokenAuthenticator(
                TokenFileFixture.parse("tok-1,ci,ci-uid,agents\ntok-2,ci,ci-uid,agents\n"))));
        LifecycleSink sink = e -> {
            events.add(e);
            return Uni.createFrom().voidItem();
        };
        ImplicitSessions onA = new ImplicitSessions(agents, store, a.view, sink, clock, Duration.ofMinutes(15));
        ImplicitSessions onB = new ImplicitSessions(agents, store, b.view, sink, clock, Duration.ofMinutes(15));
        Principal p1 = onA.authenticate("tok-1").await().indefinitely().orElseThrow();
        Principal p1b = onB.authenticate("tok-1").await().indefinitely().orElseThrow();
        Principal p2 = onA.authenticate("tok-2").await().indefinitely().orElseThrow();
        String id = p1.session().orElseThrow().id();
        assertThat(p1b.session().orElseThrow().id()).isEqualTo(id);
        assertThat(p2.session().orElseThrow().id()).isNotEqualTo(id);
        assertThat(p1.session().orElseThrow().expiresAt()).isEqualTo(Instant.parse("2026-11-26T08:15:00Z"));
        assertThat(events).filteredOn(e -> e.type().equals("session.login")).hasSize(2);

        a.service.revoke(id, "alice", null).await().indefinitely();
        assertThatThrownBy(() -> onB.authenticate("tok-1").await().indefinitely()).hasMessageContaining("revoked");
        assertThat(onB.authenticate("tok-2").await().indefinitely()).isPresent();
        // The next window gives the credential a new session.
        clock.advance(Duration.ofMinutes(15));
        assertThat(onB.authenticate("tok-1").await().indefinitely().orElseThrow().session().orElseThrow().id()).isNotEqualTo(id);
        assertThatThrownBy(() -> onA.authenticate("nope").await().indefinitely()).isInstanceOf(AuthenticationException.class);
        a.service.suspend("ci", "alice", null).await().indefinitely();
        assertThatThrownBy(() -> onB.authenticate("tok-2").await().indefinitely()).hasMessageContaining("suspended");
        a.service.resume("ci", "alice").await().indefinitely();
        assertThat(onB.authenticate("tok-2").await().indefinitely()).isPresent(); // implicit sessions are not revoked by a suspension
    }
}
