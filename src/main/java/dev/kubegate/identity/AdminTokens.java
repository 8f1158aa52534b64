package dev.kubegate.identity;

import dev.kubegate.config.KubegateConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The humans' token realm ({@code kubegate.admin.tokens-file}: admins and approvers), read once at
 * start-up and shared by the admin API filter and the approver realm, so both see the same file.
 */
@ApplicationScoped
public class AdminTokens {

    @Inject
    KubegateConfig config;

    private volatile TokenFile tokens;

    void load(@Observes @Priority(10) StartupEvent event) {
        tokens = config.admin().tokensFile().map(file -> {
            try {
                return TokenFile.load(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubegate.admin.tokens-file " + file, e);
            }
        }).orElse(null);
    }

    /** The admin tokens, or empty when the realm is not configured. */
    public Optional<TokenFile> tokens() {
        return Optional.ofNullable(tokens);
    }
}
