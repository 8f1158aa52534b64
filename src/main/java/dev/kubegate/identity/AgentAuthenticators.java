package dev.kubegate.identity;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.aws.AwsIamAuthenticator;
import dev.kubegate.identity.aws.StsClient;
import dev.kubegate.identity.aws.StsHosts;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.identity.oidc.OidcAuthenticator;
import dev.kubegate.identity.serviceaccount.ServiceAccountAuthenticator;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the agent authenticators from configuration, in the order the chain tries them:
 * <ol>
 *   <li>AWS IAM — claims {@code k8s-aws-v1.} tokens only;</li>
 *   <li>OIDC — claims JWTs whose {@code iss} is a configured issuer;</li>
 *   <li>service accounts — claims the remaining JWTs (TokenReview decides), so it comes after OIDC:
 *       a CI token must not be sent to the cluster for review;</li>
 *   <li>static tokens (development) — claims everything left, so it is last.</li>
 * </ol>
 * Blocking (reads files): call at start-up. {@link #close()} releases clients and timers.
 */
public final class AgentAuthenticators implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AgentAuthenticators.class);
    private static final java.time.Duration JWKS_FETCH_TIMEOUT = java.time.Duration.ofSeconds(5);
    private static final java.time.Duration TOKEN_REVIEW_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final List<Authenticator> authenticators;
    private final List<AutoCloseable> resources;

    private AgentAuthenticators(List<Authenticator> authenticators, List<AutoCloseable> resources) {
        this.authenticators = List.copyOf(authenticators);
        this.resources = List.copyOf(resources);
    }

    /** {@code upstream} sends TokenReviews; only used when service-account tokens are enabled. */
    public static AgentAuthenticators create(Vertx vertx, KubegateConfig.Identity cfg, Optional<dev.kubegate.upstream.UpstreamClient> upstream) {
        List<Authenticator> list = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        boolean aws = cfg.aws().enabled() && cfg.aws().clusterId().isPresent();
        boolean oidc = !cfg.oidc().issuers().isEmpty();
        boolean serviceAccounts = cfg.serviceAccount().enabled() && upstream.isPresent();
        boolean external = aws || oidc || serviceAccounts;
        IdentityMapper mapper = null;
        if (external) {
            mapper = cfg.mappings().map(IdentityMapper::load).orElseGet(() -> {
                LOG.warn("kubegate.identity.mappings is not set: every AWS IAM, service-account and OIDC identity will be refused");
                return IdentityMapper.of(IdentityMappings.empty());
            });
            mapper.watch(vertx, cfg.mappingsReloadInterval());
            resources.add(mapper);
        }
        if (aws) {
            KubegateConfig.Identity.Aws a = cfg.aws();
            Optional<URI> endpoint = a.stsEndpoint();
            endpoint.filter(e -> "http".equals(e.getScheme())).ifPresent(e ->
                    LOG.warnf("kubegate.identity.aws.sts-endpoint %s is plain HTTP: for tests only", e));
            StsClient sts = new StsClient(vertx, endpoint, a.stsTimeout());
            resources.add(sts);
            list.add(new AwsIamAuthenticator(a.clusterId().get(), new StsHosts(a.regions(), endpoint.map(URI::getHost)),
                    sts, mapper, a.cacheSize(), Clock.systemUTC()));
            LOG.infof("AWS IAM agents accepted: tokens for cluster id '%s'%s", a.clusterId().get(),
                    endpoint.map(e -> ", verified at " + e).orElse(""));
        }
        if (oidc) {
            KubegateConfig.Identity.Oidc o = cfg.oidc();
            List<OidcAuthenticator.Issuer> issuers = o.issuers().values().stream()
                    .map(i -> new OidcAuthenticator.Issuer(i.url(), i.audiences(), i.usernameClaim(), i.groupsClaim(), i.jwksUrl()))
                    .toList();
            OidcAuthenticator authenticator = new OidcAuthenticator(vertx, issuers, new OidcAuthenticator.Options(o.clockSkew(),
                    o.jwksMinRefresh(), o.jwksMaxAge(), JWKS_FETCH_TIMEOUT, 10_000), mapper, Clock.systemUTC());
            resources.add(authenticator);
            list.add(authenticator);
            issuers.stream().filter(i -> i.url().startsWith("http:")).forEach(i ->
                    LOG.warnf("OIDC issuer %s is plain HTTP: its keys can be tampered with on the way; for tests only", i.url()));
            LOG.infof("OIDC agents accepted from %s", issuers.stream().map(OidcAuthenticator.Issuer::url).toList());
        }
        if (serviceAccounts) {
            KubegateConfig.Identity.ServiceAccount sa = cfg.serviceAccount();
            list.add(new ServiceAccountAuthenticator(vertx, upstream.get(), sa.audiences().orElse(List.of()), mapper,
                    sa.cacheTtl(), sa.cacheSize(), TOKEN_REVIEW_TIMEOUT, Clock.systemUTC()));
            LOG.infof("service-account agents accepted (TokenReview%s)", sa.audiences().map(a -> ", audiences " + a).orElse(""));
        }
        cfg.staticTokens().tokensFile().ifPresent(file -> {
            try {
                TokenFile tokens = TokenFile.load(file);
                list.add(new StaticTokenAuthenticator(tokens));
                LOG.warnf("static agent tokens loaded from %s (%d tokens): for development only", file, tokens.size());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubegate.identity.static.tokens-file " + file, e);
            }
        });
        return new AgentAuthenticators(list, resources);
    }

    public List<Authenticator> authenticators() {
        return authenticators;
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.debugf("closing %s: %s", r, e);
            }
        }
    }
}
