package dev.kubegate.audit;

import java.util.concurrent.CompletionStage;

/**
 * Suspends an identity on a playbook's behalf. The identity/session feature provides the bean (the
 * logic behind {@code POST /kubegate/v1/identities/{name}/suspend}); without one, playbooks only
 * record and notify, and say so in the action's record.
 */
public interface IdentitySuspender {

    /**
     * Starts the suspension without blocking (playbooks run on the call's event loop).
     *
     * @param principal the principal name
     * @param actor     who suspends, for the identity's record
     * @param reason    why, for the identity's record and the admin page
     * @return completes once the suspension is stored and recorded; fails when it could not be
     */
    CompletionStage<Void> suspend(String principal, String actor, String reason);
}
