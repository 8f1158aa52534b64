package dev.kubegate.approval;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * Where approvers come from: humans, authenticated separately from agents. The admin token file
 * ({@link AdminTokenApprovers}) serves break-glass and small installs; the OIDC realm
 * ({@code approval.oidc.OidcApprovers}) people of the company's identity provider. Both are
 * combined by {@link ApproverRealms}; the approval logic does not know which vouched.
 */
public interface ApproverRealm {

    /**
     * The approver presenting {@code bearerToken}; empty when this realm does not know it. Fails
     * (a failed {@code Uni}) when the realm cannot answer now.
     */
    Uni<Optional<Approver>> authenticate(String bearerToken);

    /** False when no approver can sign in (nothing configured): approval requests are then refused at once. */
    boolean configured();
}
