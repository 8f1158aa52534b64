package dev.kubegate.gateway;

import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.Status;
import dev.kubegate.policy.PolicyDecision;

/**
 * Turns a refusing policy decision into the 403 Status the agent reads. The policy's reasons are
 * already written for the agent (what was refused, the field, what would be allowed); an approval
 * requirement says who may approve.
 */
final class Decisions {

    private Decisions() {
    }

    static Status refusal(PolicyDecision d, RequestInfo info, Principal principal) {
        String reasons = d.reasons().isEmpty()
                ? "User \"" + principal.impersonatedUser() + "\" cannot " + info.describe() + ": denied by policy"
                : String.join("; ", d.reasons());
        if (!d.approval().required()) {
            return Status.forbidden(reasons);
        }
        String approvers = d.approval().approverGroups().isEmpty() ? "an approver" : "a member of " + String.join(" or ", d.approval().approverGroups());
        String why = d.approval().reason().isEmpty() ? "" : " (" + d.approval().reason() + ")";
        return Status.forbidden(reasons + "; this call needs approval by " + approvers + why
                + ", and human approval is not enabled on this kubegate, so the call is refused");
    }
}
