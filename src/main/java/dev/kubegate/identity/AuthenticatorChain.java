package dev.kubegate.identity;

import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Optional;

/** Tries each authenticator in order; the first that claims the credential decides. */
public final class AuthenticatorChain {

    private final List<Authenticator> authenticators;

    public AuthenticatorChain(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    public boolean isEmpty() {
        return authenticators.isEmpty();
    }

    /** A principal, or a failure with {@link AuthenticationException} (401 or 503). */
    public Uni<Principal> authenticate(Optional<String> bearerToken) {
        if (bearerToken.isEmpty()) {
            return Uni.createFrom().failure(AuthenticationException.invalid(
                    "no credentials: send a kubegate token as 'Authorization: Bearer <token>'"));
        }
        return tryFrom(0, bearerToken.get());
    }

    private Uni<Principal> tryFrom(int index, String token) {
        if (index == authenticators.size()) {
            return Uni.createFrom().failure(AuthenticationException.invalid("the bearer token is not valid"));
        }
        return authenticators.get(index).authenticate(token)
                .flatMap(p -> p.map(principal -> Uni.createFrom().item(principal)).orElseGet(() -> tryFrom(index + 1, token)));
    }

    /** The token of an {@code Authorization: Bearer} header; empty for absent or other schemes. */
    public static Optional<String> bearerToken(String authorizationHeader) {
        if (authorizationHeader == null) {
            return Optional.empty();
        }
        String h = authorizationHeader.strip();
        if (h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = h.substring(7).strip();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }
}
