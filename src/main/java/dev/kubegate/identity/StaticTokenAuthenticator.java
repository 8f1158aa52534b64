package dev.kubegate.identity;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * Development-only agent authentication: bearer tokens listed in a token file. Every token is
 * claimed by this authenticator when it is configured, so an unknown token is a 401 here.
 */
public final class StaticTokenAuthenticator implements Authenticator {

    private final TokenFile tokens;

    /** Refuses a file that gives an agent a {@code system:} group ({@link ReservedGroups}). */
    public StaticTokenAuthenticator(TokenFile tokens) {
        for (TokenFile.Entry e : tokens.entries()) {
            e.groups().stream().filter(ReservedGroups::isReserved).findFirst().ifPresent(g -> {
                throw new IllegalArgumentException("static agent token of '" + e.name() + "': " + ReservedGroups.refusal(g));
            });
        }
        this.tokens = tokens;
    }

    @Override
    public Uni<Optional<Principal>> authenticate(String bearerToken) {
        return tokens.lookup(bearerToken)
                .map(e -> Uni.createFrom().item(Optional.of(
                        new Principal(e.uid().isEmpty() ? e.name() : e.uid(), e.name(), "static", e.groups(), Optional.empty()))))
                .orElseGet(() -> Uni.createFrom().failure(AuthenticationException.invalid("the bearer token is not valid")));
    }
}
