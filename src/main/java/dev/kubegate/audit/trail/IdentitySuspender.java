package dev.kubegate.audit.trail;

/**
 * Suspends an identity on a playbook's behalf. The identity/session feature provides the bean (the
 * logic behind {@code POST /kubegate/v1/identities/{name}/suspend}); without one, playbooks only
 * record and notify, and say so in the action's record.
 */
public interface IdentitySuspender {

    /**
     * @param principal the principal name
     * @param reason    why, for the identity's record and the admin page
     */
    void suspend(String principal, String reason);
}
