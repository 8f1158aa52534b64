package dev.kubegate.approval;

import java.util.List;

/**
 * A human deciding on approval requests, as an {@link ApproverRealm} authenticated them.
 *
 * @param name       the person's name; compared with the requester's principal name (no self-approval)
 * @param groups     groups matched against the policy's approver groups
 * @param realm      which realm vouched for them, e.g. {@code admin-tokens} (kept in the decision record)
 * @param identities the person's verified external identities in the form agents' principal ids take
 *                   ({@code <issuer>#<claim value>} for OIDC): a requester whose principal id is one of
 *                   them is the same person, whatever name either realm gives them
 */
public record Approver(String name, List<String> groups, String realm, List<String> identities) {

    public Approver {
        groups = List.copyOf(groups);
        identities = identities == null ? List.of() : List.copyOf(identities);
    }

    public Approver(String name, List<String> groups, String realm) {
        this(name, groups, realm, List.of());
    }

    /** Whether this approver is the requester: the same name, or one of their verified identities. */
    public boolean is(ApprovalRequest.Requester requester) {
        return name.equals(requester.principal())
                || (requester.principalId() != null && identities.contains(requester.principalId()));
    }
}
