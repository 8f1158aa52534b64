package dev.kubegate.identity.bench;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.aws.AwsIamAuthenticator;
import dev.kubegate.identity.aws.StsClient;
import dev.kubegate.identity.aws.StsHosts;
import dev.kubegate.identity.mapping.IdentityMapper;
import dev.kubegate.identity.mapping.IdentityMappings;
import dev.kubegate.identity.oidc.OidcAuthenticator;
import dev.kubegate.testing.AwsTokens;
import dev.kubegate.testing.FakeOidcIssuer;
import dev.kubegate.testing.FakeSts;
import io.vertx.core.Vertx;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Per-request authentication cost: what the gateway pays for a bearer token before policy runs.
 * <ul>
 *   <li>{@code awsCached} — a k8s-aws-v1 token STS already verified: digest, cache hit, mapping;</li>
 *   <li>{@code oidcCached} — an OIDC JWT verified before: JWT-shape check, digest, cache hit, mapping;</li>
 *   <li>{@code oidcVerifyEs256} / {@code oidcVerifyRs256} — an OIDC JWT seen for the first time
 *       (keys already fetched): parse, signature, claims, mapping. Two tokens alternate through a
 *       one-entry cache, so every call verifies.</li>
 * </ul>
 * Run (after {@code ./mvnw -o test-compile}):
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.identity.bench.AuthenticationBenchmark -f 1 -wi 2 -i 3"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthenticationBenchmark {

    static final String CLUSTER = "kubegate-bench";

    Vertx vertx;
    FakeSts sts;
    FakeOidcIssuer issuer;
    AwsIamAuthenticator aws;
    OidcAuthenticator oidcCaching;
    OidcAuthenticator oidcVerifying;
    String awsToken;
    String oidcToken;
    String[] es256 = new String[2];
    String[] rs256 = new String[2];
    int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        vertx = Vertx.vertx();
        FakeSts.Identity who = new FakeSts.Identity("ASIABENCH", "bench-secret",
                "arn:aws:sts::111122223333:assumed-role/ci-agent/bench", "111122223333", "AROAB:bench");
        sts = FakeSts.start().add(who);
        issuer = FakeOidcIssuer.start();
        FakeOidcIssuer.SigningKey ec = issuer.ec("ec");
        FakeOidcIssuer.SigningKey rsa = issuer.rsa("rsa");
        issuer.publish(ec).publish(rsa);
        IdentityMapper mapper = IdentityMapper.of(IdentityMappings.parse("""
                mappings:
                - identity: arn:aws:iam::111122223333:role/other
                  name: other
                - identity: arn:aws:iam::111122223333:role/ci-agent
                  kind: aws-iam
                  name: "ci-{{SessionName}}"
                  groups: [agents]
                - identity: "%s#repo:acme/*"
                  kind: oidc
                  name: "gh-{{Subject}}"
                  groups: [deployers]
                """.formatted(issuer.url()), "bench"));
        aws = new AwsIamAuthenticator(CLUSTER, new StsHosts(Optional.empty(), Optional.empty()),
                new StsClient(vertx, Optional.of(URI.create(sts.url())), Duration.ofSeconds(5)), mapper, 10_000, Clock.systemUTC());
        awsToken = AwsTokens.mint("us-east-1", CLUSTER, who, Instant.now());
        check(aws.authenticate(awsToken).await().atMost(Duration.ofSeconds(10)).orElseThrow());

        List<OidcAuthenticator.Issuer> issuers = List.of(new OidcAuthenticator.Issuer(issuer.url(), List.of("kubegate"), "sub",
                Optional.empty(), Optional.empty()));
        oidcCaching = new OidcAuthenticator(vertx, issuers, new OidcAuthenticator.Options(Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), 10_000), mapper, Clock.systemUTC());
        oidcVerifying = new OidcAuthenticator(vertx, issuers, new OidcAuthenticator.Options(Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), 1), mapper, Clock.systemUTC());
        oidcToken = jwt(ec, "repo:acme/deploy:ref:refs/heads/main");
        for (int n = 0; n < 2; n++) {
            es256[n] = jwt(ec, "repo:acme/deploy:" + n);
            rs256[n] = jwt(rsa, "repo:acme/deploy:" + n);
        }
        check(oidcCaching.authenticate(oidcToken).await().atMost(Duration.ofSeconds(10)).orElseThrow());
        check(oidcVerifying.authenticate(es256[0]).await().atMost(Duration.ofSeconds(10)).orElseThrow());
    }

    private String jwt(FakeOidcIssuer.SigningKey key, String subject) throws Exception {
        return FakeOidcIssuer.sign(key, new JWTClaimsSet.Builder().issuer(issuer.url()).audience("kubegate").subject(subject)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build());
    }

    private static void check(Principal p) {
        if (p.name().isEmpty()) {
            throw new IllegalStateException("benchmark setup failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        oidcCaching.close();
        oidcVerifying.close();
        sts.close();
        issuer.close();
        vertx.close();
    }

    @Benchmark
    public Principal awsCached() {
        return aws.authenticate(awsToken).await().indefinitely().orElseThrow();
    }

    @Benchmark
    public Principal oidcCached() {
        return oidcCaching.authenticate(oidcToken).await().indefinitely().orElseThrow();
    }

    @Benchmark
    public Principal oidcVerifyEs256() {
        return oidcVerifying.authenticate(es256[i++ & 1]).await().indefinitely().orElseThrow();
    }

    @Benchmark
    public Principal oidcVerifyRs256() {
        return oidcVerifying.authenticate(rs256[i++ & 1]).await().indefinitely().orElseThrow();
    }

    public static void main(String[] args) throws Exception {
        // Only this class's benchmarks (JMH would otherwise run every benchmark on the class path).
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = AuthenticationBenchmark.class.getName();
        new Runner(new CommandLineOptions(all)).run();
    }
}
