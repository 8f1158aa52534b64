package dev.kubegate.identity.session;

import dev.kubegate.identity.Principal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a session token says: the session, who it belongs to, and until when. Signed into the token,
 * so verifying a token needs no lookup.
 */
public record SessionClaims(String sessionId, String principalId, String principalName, String kind,
                            List<String> groups, Map<String, String> labels, Instant issuedAt, Instant expiresAt) {

    public SessionClaims {
        groups = List.copyOf(groups);
        labels = Map.copyOf(labels);
    }

    public Principal principal() {
        return new Principal(principalId, principalName, kind, groups,
                Optional.of(new Principal.Session(sessionId, labels, expiresAt)));
    }
}
