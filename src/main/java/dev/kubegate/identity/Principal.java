package dev.kubegate.identity;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is calling: the authenticated agent (or human) as policy, impersonation and audit see it.
 *
 * @param id      stable identifier of the underlying identity (an IAM role ARN, a service account,
 *                an OIDC subject, a static token's uid)
 * @param name    principal name after identity mapping; impersonated upstream as {@code kubegate:<name>}
 * @param kind    how it authenticated: aws-iam, serviceaccount, oidc or static
 * @param groups  groups for policy and impersonation
 * @param session the kubegate session the request belongs to, when there is one
 */
public record Principal(String id, String name, String kind, List<String> groups, Optional<Session> session) {

    public Principal {
        groups = List.copyOf(groups);
    }

    /** A session as policy and audit see it; the identity issue issues and revokes these. */
    public record Session(String id, Map<String, String> labels, java.time.Instant expiresAt) {
        /** Derived for a credential sent straight to the API (a fixed TTL window), not issued by login. */
        public boolean implicit() {
            return "true".equals(labels.get("implicit"));
        }
    }

    public String impersonatedUser() {
        return "kubegate:" + name;
    }
}
