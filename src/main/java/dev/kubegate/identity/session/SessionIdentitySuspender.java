package dev.kubegate.identity.session;

import dev.kubegate.audit.IdentitySuspender;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Lets audit playbooks suspend an identity exactly as an admin does with
 * {@code POST /kubegate/v1/identities/{name}/suspend}: stored for every replica, sessions revoked,
 * {@code identity.suspended} recorded.
 */
@ApplicationScoped
public class SessionIdentitySuspender implements IdentitySuspender {

    @Inject
    Sessions sessions;

    @Override
    public CompletionStage<Void> suspend(String principal, String actor, String reason) {
        Sessions.Started s = sessions.current();
        if (s == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("sessions are not started"));
        }
        return s.service().suspend(principal, actor, reason).replaceWithVoid().subscribeAsCompletionStage();
    }
}
