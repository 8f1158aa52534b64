package dev.kubegate.approval;

import java.util.List;

/**
 * A human deciding on approval requests, as an {@link ApproverRealm} authenticated them.
 *
 * @param name   the person's name; compared with the requester's principal name (no self-approval)
 * @param groups groups matched against the policy's approver groups
 * @param realm  which realm vouched for them, e.g. {@code admin-tokens} (kept in the decision record)
 */
public record Approver(String name, List<String> groups, String realm) {

    public Approver {
        groups = List.copyOf(groups);
    }
}
