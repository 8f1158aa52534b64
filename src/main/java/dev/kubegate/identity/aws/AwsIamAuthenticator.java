package dev.kubegate.identity.aws;

import dev.kubegate.k8s.Status;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.Authenticator;
import dev.kubegate.identity.ExternalIdentity;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.VerifiedTokens;
import dev.kubegate.identity.mapping.IdentityMapper;
import io.smallrye.mutiny.Uni;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWS IAM agents: {@code k8s-aws-v1.} tokens (as {@code aws eks get-token --cluster-name <kubegate's
 * cluster id>} makes them). A token is checked locally ({@link AwsToken}), then once by STS
 * ({@link StsClient}); the identity STS names is cached under the token's digest until the token
 * expires (15 minutes after signing), so the request path costs a hash and a map lookup. Mapping
 * ({@link IdentityMapper}) runs on every request, so a mapping change applies at once.
 *
 * <p>Claims only tokens with the {@code k8s-aws-v1.} prefix; other credentials go to the next authenticator.
 */
public final class AwsIamAuthenticator implements Authenticator {

    /** Clocks of clients ahead of ours by this much still work. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final String clusterId;
    private final StsHosts hosts;
    private final StsClient sts;
    private final IdentityMapper mapper;
    private final VerifiedTokens<ExternalIdentity> verified;
    private final Clock clock;

    public AwsIamAuthenticator(String clusterId, StsHosts hosts, StsClient sts, IdentityMapper mapper, int cacheSize, Clock clock) {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("kubegate.identity.aws.cluster-id must be set to accept AWS IAM tokens");
        }
        this.clusterId = clusterId;
        this.hosts = hosts;
        this.sts = sts;
        this.mapper = mapper;
        this.verified = new VerifiedTokens<>(cacheSize, clock);
        this.clock = clock;
    }

    @Override
    public Uni<Optional<Principal>> authenticate(String bearerToken) {
        if (!bearerToken.startsWith(AwsToken.PREFIX)) {
            return Uni.createFrom().item(Optional.empty());
        }
        ExternalIdentity hit = verified.cached(bearerToken);
        if (hit != null) {
            return principal(hit);
        }
        AwsToken token;
        try {
            token = AwsToken.parse(bearerToken, hosts, clock.instant(), CLOCK_SKEW);
        } catch (AuthenticationException e) {
            return Uni.createFrom().failure(e);
        }
        return verified.get(bearerToken, t -> sts.getCallerIdentity(token, clusterId)
                        .map(caller -> new VerifiedTokens.Verified<>(identity(caller, token), token.expiresAt())))
                .flatMap(this::principal);
    }

    private Uni<Optional<Principal>> principal(ExternalIdentity id) {
        try {
            return Uni.createFrom().item(Optional.of(mapper.toPrincipal(id)));
        } catch (AuthenticationException e) {
            return Uni.createFrom().failure(e);
        }
    }

    static ExternalIdentity identity(CallerIdentity caller, AwsToken token) {
        CallerIdentity.Canonical c;
        try {
            c = caller.canonical();
        } catch (IllegalArgumentException e) {
            throw AuthenticationException.invalid("AWS IAM token refused: " + Status.describe(e));
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("ARN", caller.arn());
        attributes.put("AccountID", c.account());
        attributes.put("AccessKeyID", token.accessKeyId());
        String[] userId = caller.userId().split(":", 2);
        attributes.put("UserID", userId[0]);
        // The session name: the assumed role's, as STS's UserId carries it ("AROA…:name").
        c.sessionName().or(() -> userId.length == 2 ? Optional.of(userId[1]) : Optional.empty())
                .ifPresent(s -> attributes.put("SessionName", s));
        return new ExternalIdentity(ExternalIdentity.AWS_IAM, c.arn(), attributes, List.of());
    }

    /** Tokens currently cached (metrics, tests). */
    public int cachedTokens() {
        return verified.size();
    }
}
