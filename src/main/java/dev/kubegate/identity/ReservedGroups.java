package dev.kubegate.identity;

import java.util.List;
import java.util.Locale;

/**
 * Groups kubegate never impersonates an agent into: the {@code system:} namespace of Kubernetes.
 * Those groups mean something to the API server itself, not to RBAC bindings an operator wrote:
 * {@code system:masters} skips authorization altogether, {@code system:nodes} is judged by the node
 * authorizer, {@code system:serviceaccounts[:<ns>]} would pass an agent off as the namespace's
 * workloads, {@code system:bootstrappers} may request node certificates. An agent that held one
 * would be stronger than any rule kubegate applies.
 *
 * <p>So groups asserted by an identity provider (a TokenReview's {@code system:serviceaccounts},
 * an OIDC claim someone can edit) are dropped silently, and groups an operator writes into a
 * mapping or token file are refused with the reason: granting an agent more goes through a
 * RoleBinding to an ordinary group, which is visible and reviewable. The match ignores case, so a
 * look-alike spelling never gets through either.
 */
public final class ReservedGroups {

    private static final String PREFIX = "system:";

    private ReservedGroups() {
    }

    public static boolean isReserved(String group) {
        return group != null && group.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** {@code groups} without the reserved ones, in order. */
    public static List<String> withoutReserved(List<String> groups) {
        return groups.stream().filter(g -> !isReserved(g)).toList();
    }

    /** Why {@code group}, written by an operator for an agent, is refused. */
    public static String refusal(String group) {
        return "group '" + group + "' is in the API server's reserved '" + PREFIX + "' namespace"
                + (group.toLowerCase(Locale.ROOT).startsWith("system:masters") ? " (system:masters bypasses all authorization)" : "")
                + "; kubegate never impersonates agents into system: groups: bind the permissions the agent needs "
                + "to an ordinary group with a RoleBinding instead";
    }
}
