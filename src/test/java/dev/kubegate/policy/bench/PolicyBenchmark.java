package dev.kubegate.policy.bench;

import dev.kubegate.policy.Fixtures;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.policy.PolicyEngine;
import dev.kubegate.policy.PolicyInput;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A full decision with the built-in pack: input serialisation, WASM evaluation, strict parsing of
 * the decision — what the gateway pays per call. Run (after {@code ./mvnw -o test-compile}):
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.policy.bench.PolicyBenchmark"
 * </pre>
 * Extra arguments are JMH's own (e.g. {@code -t 2} for two threads, {@code -f 1}, a benchmark regex).
 * {@code SampleTime} reports the p50/p99 per decision, {@code Throughput} decisions/s. With the
 * decision cache ({@code decisionCacheSize=10000}) the read is answered from the cache after its
 * first evaluation; the writes are always evaluated. {@code -p decisionCacheSize=0} measures evaluation alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class PolicyBenchmark {

    /** Decisions kept per policy ({@code kubegate.policy.decision-cache-size}); 0: every call evaluated. */
    @Param({"10000", "0"})
    int decisionCacheSize;

    PolicyEngine engine;
    /** The realistic pod create (init container, 2 containers, probes, env, volumes): allowed. */
    PolicyInput pod;
    /** A privileged Deployment: denied with a message. */
    PolicyInput privileged;
    /** A read without a body: what most calls are. */
    PolicyInput read;

    @Setup(Level.Trial)
    public void load() {
        engine = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.empty(),
                2 * Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(2), 1024, Duration.ofSeconds(5), decisionCacheSize));
        engine.start();
        pod = Fixtures.createPod();
        privileged = Fixtures.input(Fixtures.request("create", "apps", "deployments", "", "prod"),
                Fixtures.deployment(Fixtures.PRIVILEGED_SPEC));
        read = Fixtures.read("list", "pods", "prod");
        if (!decide(pod).allow() || decide(privileged).allow() || !decide(read).allow()) {
            throw new IllegalStateException("unexpected decisions: the benchmark would measure the wrong path");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    private PolicyDecision decide(PolicyInput in) {
        return engine.decide(in).toCompletableFuture().join();
    }

    @Benchmark
    public PolicyDecision createPod() {
        return decide(pod);
    }

    @Benchmark
    public PolicyDecision createPrivilegedDeployment() {
        return decide(privileged);
    }

    @Benchmark
    public PolicyDecision listPods() {
        return decide(read);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new CommandLineOptions(args.length == 0 ? new String[] {PolicyBenchmark.class.getName()} : args)).run();
    }
}
