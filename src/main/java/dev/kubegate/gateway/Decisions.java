package dev.kubegate.gateway;

import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;

/**
 * Turns a denying policy decision into the 403 Status the agent reads. The policy's reasons are
 * already written for the agent (what was refused, the field, what would be allowed). Calls that
 * need approval go to the {@link dev.kubegate.approval.ApprovalGate} instead.
 */
final class Decisions {

    private Decisions() {
    }

    static Status refusal(PolicyDecision d, RequestInfo info, Principal principal) {
        String reasons = d.reasons().isEmpty()
                ? "User \"" + principal.impersonatedUser() + "\" cannot " + info.describe() + ": denied by policy"
                : String.join("; ", d.reasons());
        return Status.forbidden(reasons);
    }
}
