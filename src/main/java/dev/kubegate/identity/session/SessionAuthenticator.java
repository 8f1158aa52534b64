package dev.kubegate.identity.session;

import dev.kubegate.audit.LifecycleEvent;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.Principal;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * First in the chain: claims {@code kubegate-session.} tokens and accepts one when its signature
 * and expiry hold and the {@link SessionView} finds the session neither revoked nor idle and its
 * principal not suspended. All of it is local — no store call per request; only a token signed with
 * a key this replica has not seen yet costs one store read for that key.
 *
 * <p>Refusals are 401 with the reason, so kubectl runs its exec plugin ({@code kubegate login})
 * again; a view that may be stale (store unreachable too long) is a 503.
 */
public final class SessionAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(SessionAuthenticator.class);

    private final SessionTokens tokens;
    private final KeySource keys;
    private final SessionView view;
    private final LifecycleSink events;
    private final Clock clock;
    /** Sessions whose expiry was already reported here (once per replica is enough for the audit trail). */
    private final Set<String> expiryNoticed = ConcurrentHashMap.newKeySet();

    public SessionAuthenticator(SessionTokens tokens, KeySource keys, SessionView view, LifecycleSink events, Clock clock) {
        this.tokens = tokens;
        this.keys = keys;
        this.view = view;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Principal>> authenticate(String bearerToken) {
        if (!SessionTokens.isSessionToken(bearerToken)) {
            return Uni.createFrom().item(Optional.empty());
        }
        SessionTokens.Verification v = tokens.verify(bearerToken);
        if (v instanceof SessionTokens.Verification.UnknownKey u) {
            return keys.lookup(u.kid())
                    .onFailure().transform(e -> AuthenticationException.unavailable("cannot load session signing key " + u.kid(), e))
                    .map(found -> found ? tokens.verify(bearerToken)
                            : new SessionTokens.Verification.Invalid("the session token was signed with an unknown key"))
                    .map(this::decide);
        }
        try {
            return Uni.createFrom().item(decide(v));
        } catch (AuthenticationException e) {
            return Uni.createFrom().failure(e);
        }
    }

    private Optional<Principal> decide(SessionTokens.Verification v) {
        if (v instanceof SessionTokens.Verification.Valid ok) {
            return Optional.of(checked(ok.claims()));
        }
        if (v instanceof SessionTokens.Verification.Expired e) {
            noticeExpiry(e.claims());
            throw AuthenticationException.invalid("session " + e.claims().sessionId() + " expired at "
                    + e.claims().expiresAt() + "; log in again (kubegate login)");
        }
        if (v instanceof SessionTokens.Verification.Invalid i) {
            throw AuthenticationException.invalid(i.reason());
        }
        throw AuthenticationException.invalid("the session token was signed with an unknown key");
    }

    private Principal checked(SessionClaims c) {
        switch (view.check(c.sessionId(), c.principalName())) {
            case STALE -> throw AuthenticationException.unavailable(
                    "the session state store is unreachable, so revocations cannot be checked", null);
            case SUSPENDED -> throw AuthenticationException.invalid("identity " + c.principalName()
                    + " is suspended; its sessions are revoked and it cannot start new ones");
            case REVOKED -> throw AuthenticationException.invalid("session " + c.sessionId() + " was revoked; log in again");
            case IDLE -> throw AuthenticationException.invalid("session " + c.sessionId()
                    + " was idle longer than kubegate.session.idle-timeout; log in again");
            case OK -> {
            }
        }
        if (view.touch(c.sessionId())) {
            view.publishActivity(c.sessionId()).subscribe().with(x -> { }, e -> { });
        }
        return c.principal();
    }

    private void noticeExpiry(SessionClaims c) {
        if (expiryNoticed.size() > 100_000) {
            expiryNoticed.clear();
        }
        if (expiryNoticed.add(c.sessionId())) {
            events.fire(new LifecycleEvent("session.expired", clock.instant(), c.principalName(), c.sessionId(), "kubegate",
                    Map.of("expiresAt", c.expiresAt().toString())))
                    .subscribe().with(x -> { }, e -> LOG.warnf("cannot record the expiry of session %s: %s", c.sessionId(), e.getMessage()));
        }
    }
}
