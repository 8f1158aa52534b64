package dev.kubegate.identity.session;

import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.StaticTokenAuthenticator;
import dev.kubegate.identity.TokenFileFixture;
import dev.kubegate.store.InMemoryStateStore;
import io.smallrye.mutiny.Uni;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Per-request authentication cost of a session token (issue 4, performance): what the gateway's
 * authenticate step pays — no store or STS call in any of these.
 * <ul>
 *   <li>{@code sessionToken}: a token this replica has verified before (every request after the
 *       first): cache lookup by the token text, expiry, revocation/suspension/idle view checks;</li>
 *   <li>{@code sessionTokenFirstSight}: the full check of a token new to this replica: JWT parse,
 *       ES256 signature, claims;</li>
 *   <li>{@code implicitSession}: a static token sent directly (digest lookup + derived session).</li>
 * </ul>
 * In the test sources' package (it uses the package-private uncached path). Run after
 * {@code ./mvnw -o test-compile}:
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.identity.session.SessionAuthBenchmark -f 1 -wi 2 -i 3"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SessionAuthBenchmark {

    SessionAuthenticator authenticator;
    SessionTokens tokens;
    ImplicitSessions implicit;
    String token;

    @Setup
    public void setUp() {
        Clock clock = Clock.systemUTC();
        InMemoryStateStore store = new InMemoryStateStore(clock);
        KeyRing ring = new KeyRing();
        tokens = new SessionTokens(ring, clock);
        StoreKeySource keys = new StoreKeySource(store, ring, clock, Duration.ofHours(24), Duration.ofHours(1));
        keys.start().await().indefinitely();
        SessionView view = new SessionView(store, clock, Duration.ofHours(1), Duration.ofSeconds(2));
        view.start().await().indefinitely();
        LifecycleSink sink = e -> Uni.createFrom().voidItem();
        authenticator = new SessionAuthenticator(tokens, keys, view, sink, clock);
        SessionService service = new SessionService(store, tokens, view, sink, clock, Duration.ofMinutes(15), Duration.ofHours(1));
        Principal agent = new Principal("arn:aws:iam::111122223333:role/ci-agent", "ci-agent", "aws-iam", List.of("agents"), Optional.empty());
        token = service.create(agent, "credential", new SessionRequest(Optional.of(Duration.ofHours(1)),
                Map.of("task", "JIRA-123"), "benchmark")).await().indefinitely().token();
        implicit = new ImplicitSessions(new AuthenticatorChain(List.of(new StaticTokenAuthenticator(
                TokenFileFixture.parse("static-token-0123456789,ci,ci-uid,agents\n")))), store, view, sink, clock, Duration.ofMinutes(15));
        if (authenticate().isEmpty() || implicitSession().isEmpty()) {
            throw new IllegalStateException("setup: not authenticated");
        }
    }

    @Benchmark
    public Optional<Principal> sessionToken() {
        return authenticator.authenticate(new String(token)).await().indefinitely();
    }

    @Benchmark
    public Object sessionTokenFirstSight() {
        return tokens.verifyUncached(token, Instant.now());
    }

    @Benchmark
    public Optional<Principal> implicitSession() {
        return implicit.authenticate("static-token-0123456789").await().indefinitely();
    }

    private Optional<Principal> authenticate() {
        return sessionToken();
    }

    public static void main(String[] args) throws Exception {
        new Runner(new CommandLineOptions(args.length == 0 ? new String[] {SessionAuthBenchmark.class.getName()}
                : withClass(args))).run();
    }

    private static String[] withClass(String[] args) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = SessionAuthBenchmark.class.getName();
        return out;
    }
}
