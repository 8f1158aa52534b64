package dev.kubegate.gateway;

import dev.kubegate.identity.Principal;
import dev.kubegate.upstream.Impersonation;
import dev.kubegate.upstream.UpstreamHeaders;

import java.util.List;
import java.util.Map;

/** Turns the authenticated principal into what upstream impersonates: {@code kubegate:<name>}, its groups, its session. */
final class Impersonations {

    private Impersonations() {
    }

    static Impersonation of(Principal principal) {
        Map<String, List<String>> extra = principal.session()
                .map(s -> Map.of(UpstreamHeaders.SESSION_EXTRA_KEY, List.of(s.id())))
                .orElse(Map.of());
        return new Impersonation(principal.impersonatedUser(), principal.groups(), extra);
    }
}
