package dev.kubegate.approval;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * Where approvers come from: humans, authenticated separately from agents. The admin token file
 * ({@link AdminTokenApprovers}) serves small installs; an OIDC realm for people plugs in here later
 * (verify an ID token or a browser session, map claims to name and groups) without touching the
 * approval logic.
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
