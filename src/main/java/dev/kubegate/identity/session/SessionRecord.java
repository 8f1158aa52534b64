package dev.kubegate.identity.session;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A session as the state store keeps it (kind {@value #KIND}, id = session id), until it expires.
 * Revoking sets {@code revokedAt}; the document stays until its expiry so every replica sees the
 * revocation. {@code lastActiveAt} is written now and then (not per request) for the idle timeout.
 */
public record SessionRecord(String id, String principalId, String principalName, String kind, List<String> groups,
                            Map<String, String> labels, String justification, boolean implicit,
                            Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy,
                            Instant lastActiveAt) {

    public static final String KIND = "session";

    public SessionRecord {
        groups = groups == null ? List.of() : List.copyOf(groups);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    SessionRecord revoke(Instant at, String by) {
        return new SessionRecord(id, principalId, principalName, kind, groups, labels, justification, implicit,
                createdAt, expiresAt, at, by, lastActiveAt);
    }

    SessionRecord activeAt(Instant at) {
        return new SessionRecord(id, principalId, principalName, kind, groups, labels, justification, implicit,
                createdAt, expiresAt, revokedAt, revokedBy, at);
    }

    SessionClaims claims() {
        return new SessionClaims(id, principalId, principalName, kind, groups, labels, createdAt, expiresAt);
    }
}
