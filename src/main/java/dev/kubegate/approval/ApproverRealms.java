package dev.kubegate.approval;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * Every configured {@link ApproverRealm} together (the admin token file, OIDC): a token is judged by
 * the first realm that knows it; a realm that recognises a token as its own but refuses it ends the
 * search with that refusal (an OIDC token that fails verification is never tried as an admin token).
 */
@ApplicationScoped
public class ApproverRealms {

    @Inject
    @Any
    Instance<ApproverRealm> realms;

    public boolean configured() {
        return realms.stream().anyMatch(ApproverRealm::configured);
    }

    public Uni<Optional<Approver>> authenticate(String bearerToken) {
        return next(realms.stream().filter(ApproverRealm::configured).toList(), 0, bearerToken);
    }

    private static Uni<Optional<Approver>> next(List<ApproverRealm> all, int i, String token) {
        if (i >= all.size()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return all.get(i).authenticate(token).flatMap(a -> a.isPresent() ? Uni.createFrom().item(a) : next(all, i + 1, token));
    }
}
