package dev.kubegate.identity.session;

import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.store.StateStore;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The session machinery of a serving replica, wired together: signing keys, the revocation view,
 * the session authenticator, implicit sessions, the service behind the endpoints, and the counters.
 * {@link #start} is called by the gateway runtime at start-up (it blocks until keys and the view are
 * loaded: a replica must not accept tokens before it can check revocations).
 */
@ApplicationScoped
public class Sessions {

    private static final Logger LOG = Logger.getLogger(Sessions.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @Inject
    KubegateConfig config;

    @Inject
    StateStore store;

    @Inject
    Vertx vertx;

    @Inject
    Event<LifecycleEvent> lifecycle;

    private final Clock clock = Clock.systemUTC();
    private volatile SessionCounters counters;
    private volatile Started started;
    private final java.util.List<Long> timers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Everything that exists once {@link #start} ran. */
    public record Started(SessionAuthenticator authenticator, SessionService service, AuthenticatorChain agentCredentials,
                          SessionView view, KeySource keys) {
    }

    /**
     * Starts sessions on top of the agent authenticators and answers the gateway's chain: session
     * tokens first, then agent credentials used directly (each given an implicit session).
     */
    public AuthenticatorChain start(AuthenticatorChain agentCredentials) {
        KubegateConfig.Session cfg = config.session();
        if (cfg.ttl().compareTo(cfg.maxTtl()) > 0) {
            LOG.warnf("kubegate.session.ttl %s exceeds kubegate.session.max-ttl %s: sessions last at most %s",
                    cfg.ttl(), cfg.maxTtl(), cfg.maxTtl());
        }
        Duration ttl = cfg.ttl().compareTo(cfg.maxTtl()) > 0 ? cfg.maxTtl() : cfg.ttl();
        KeyRing ring = new KeyRing();
        SessionTokens tokens = new SessionTokens(ring, clock);
        KeySource keys = cfg.signingKeysDir().<KeySource>map(dir -> new DirectoryKeySource(dir, ring))
                .orElseGet(() -> new StoreKeySource(store, ring, clock, cfg.keyRotation(), cfg.maxTtl()));
        SessionView view = new SessionView(store, clock, cfg.idleTimeout(), cfg.maxStaleness());
        LifecycleSink sink = this::fire;
        try {
            keys.start().await().atMost(START_TIMEOUT);
            view.start().await().atMost(START_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot start sessions with the state store " + store.describe() + ": " + e.getMessage(), e);
        }
        SessionAuthenticator authenticator = new SessionAuthenticator(tokens, keys, view, sink, clock);
        SessionService service = new SessionService(store, tokens, view, sink, clock, ttl, cfg.maxTtl());
        started = new Started(authenticator, service, agentCredentials, view, keys);

        timers.add(vertx.setPeriodic(200, id -> view.poll()));
        timers.add(vertx.setPeriodic(1000, id -> counters().flush().subscribe().with(v -> { }, e -> { })));
        long maintainEvery = Math.max(1000, Math.min(60_000, cfg.keyRotation().toMillis() / 4));
        timers.add(vertx.setPeriodic(maintainEvery, id -> {
            view.purge();
            keys.maintain().subscribe().with(v -> { }, e -> LOG.warnf("session key upkeep failed: %s", e.getMessage()));
        }));
        LOG.infof("sessions: ttl %s, max-ttl %s, idle-timeout %s, keys %s, state %s", ttl, cfg.maxTtl(),
                cfg.idleTimeout().isZero() ? "off" : cfg.idleTimeout(),
                cfg.signingKeysDir().map(d -> "from " + d).orElse("per replica, rotated every " + cfg.keyRotation()),
                store.describe());
        List<Authenticator> chain = agentCredentials.isEmpty() ? List.of(authenticator)
                : List.of(authenticator, new ImplicitSessions(agentCredentials, store, view, sink, clock, ttl));
        return new AuthenticatorChain(chain);
    }

    /** The session machinery, or null before start-up finished (and in CLI commands). */
    public Started current() {
        return started;
    }

    @Produces
    @Singleton
    SessionCounters counters() {
        SessionCounters c = counters;
        if (c == null) {
            synchronized (this) {
                if (counters == null) counters = new SessionCounters(store, clock);
                c = counters;
            }
        }
        return c;
    }

    void onStop(@Observes ShutdownEvent event) {
        timers.forEach(vertx::cancelTimer);
        Started s = started;
        started = null;
        if (s != null) {
            try {
                counters().flush().await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("could not flush session counters at shutdown: %s", e.getMessage());
            }
            s.view().stop();
            s.keys().stop();
        }
    }

    /** Lifecycle events go to the audit trail's observers on a worker thread (they may write files). */
    private Uni<Void> fire(LifecycleEvent event) {
        return Uni.createFrom().item(() -> {
            lifecycle.fire(event);
            return (Void) null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
