package dev.kubegate.identity;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/**
 * One way of turning a bearer credential into a {@link Principal}. Authenticators are tried in order;
 * each answers for the credentials of its own kind only.
 *
 * <p>Contract: the returned {@code Uni} completes with empty when the credential is not of this
 * authenticator's kind (the next one is tried), with a principal when it is valid, and fails with
 * {@link AuthenticationException} when it is of this kind but invalid (the chain stops: 401) or
 * when the authenticator cannot answer (the chain stops: 503, fail closed). It must never block the
 * calling thread.
 */
public interface Authenticator {

    Uni<Optional<Principal>> authenticate(String bearerToken);
}
