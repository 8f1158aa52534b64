package dev.kubegate.approval;

import dev.kubegate.identity.AdminTokens;
import dev.kubegate.identity.TokenFile;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/** Approvers from {@code kubegate.admin.tokens-file}: the humans' token realm of small installs. */
@ApplicationScoped
public class AdminTokenApprovers implements ApproverRealm {

    static final String REALM = "admin-tokens";

    @Inject
    AdminTokens adminTokens;


    @Override
    public Uni<Optional<Approver>> authenticate(String bearerToken) {
        TokenFile t = adminTokens.tokens().orElse(null);
        return Uni.createFrom().item(t == null || bearerToken == null ? Optional.empty()
                : t.lookup(bearerToken).map(AdminTokenApprovers::approver));
    }

    /** The approver an already authenticated admin-token entry stands for. */
    public static Approver approver(TokenFile.Entry entry) {
        return new Approver(entry.name(), entry.groups(), REALM);
    }

    @Override
    public boolean configured() {
        return adminTokens.tokens().isPresent();
    }
}
