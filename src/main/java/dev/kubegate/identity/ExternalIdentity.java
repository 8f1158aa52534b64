package dev.kubegate.identity;

import java.util.List;
import java.util.Map;

/**
 * An identity an authenticator has verified, before mapping decides whether it is an agent and under
 * which name ({@link dev.kubegate.identity.mapping.IdentityMapper}).
 *
 * @param kind       {@link #AWS_IAM}, {@link #SERVICE_ACCOUNT} or {@link #OIDC}
 * @param id         the stable id mappings match: the canonical IAM ARN, {@code system:serviceaccount:ns:name},
 *                   {@code <issuer>#<subject>}
 * @param attributes values mapping templates may use ({@code {{SessionName}}}, {@code {{AccountID}}}, ...)
 * @param groups     groups the identity provider asserted (TokenReview groups, an OIDC groups claim)
 */
public record ExternalIdentity(String kind, String id, Map<String, String> attributes, List<String> groups) {

    public static final String AWS_IAM = "aws-iam";
    public static final String SERVICE_ACCOUNT = "serviceaccount";
    public static final String OIDC = "oidc";

    public ExternalIdentity {
        attributes = Map.copyOf(attributes);
        groups = List.copyOf(groups);
    }
}
