package dev.kubegate.approval;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.TokenFile;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Approvers from {@code kubegate.admin.tokens-file}: the humans' token realm of small installs. */
@ApplicationScoped
public class AdminTokenApprovers implements ApproverRealm {

    static final String REALM = "admin-tokens";

    @Inject
    KubegateConfig config;

    private volatile TokenFile tokens;

    void load(@Observes StartupEvent event) {
        tokens = config.admin().tokensFile().map(file -> {
            try {
                return TokenFile.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubegate.admin.tokens-file " + file, e);
            }
        }).orElse(null);
    }

    @Override
    public Uni<Optional<Approver>> authenticate(String bearerToken) {
        TokenFile t = tokens;
        return Uni.createFrom().item(t == null || bearerToken == null ? Optional.empty()
                : t.lookup(bearerToken).map(AdminTokenApprovers::approver));
    }

    /** The approver an already authenticated admin-token entry stands for. */
    public static Approver approver(TokenFile.Entry entry) {
        return new Approver(entry.name(), entry.groups(), REALM);
    }

    @Override
    public boolean configured() {
        return tokens != null;
    }
}
