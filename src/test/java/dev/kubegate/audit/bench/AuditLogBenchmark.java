package dev.kubegate.audit.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.audit.AuditLog;
import dev.kubegate.audit.Canonical;
import dev.kubegate.audit.FsyncPolicy;
import dev.kubegate.audit.SigningKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Audit records per second through {@link AuditLog}: a Metadata-level call record (~700 bytes),
 * canonical JSON, SHA-256 chaining, segment writes, with each fsync policy, 32 callers each waiting
 * for its record to be durable (as mutating calls do). Issue 6 target: ≥ 20,000 records/s. Run
 * after {@code ./mvnw -o test-compile} (short):
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.audit.bench.AuditLogBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditLogBenchmark {

    @Param({"always", "batch(2ms)", "never"})
    public String fsync;

    Path dir;
    AuditLog log;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "audit-bench");
        log = new AuditLog(new AuditLog.Options(dir.resolve("audit"), "bench", fsyncPolicy(), 64L << 20,
                Duration.ofHours(1), Duration.ofSeconds(10), 1_000_000, Duration.ofSeconds(1)),
                SigningKeys.loadOrGenerate(dir.resolve("key.pem")), Clock.systemUTC(), null);
    }

    private FsyncPolicy fsyncPolicy() {
        return switch (fsync) {
            case "always" -> FsyncPolicy.ALWAYS;
            case "never" -> FsyncPolicy.NEVER;
            default -> FsyncPolicy.batch(Duration.ofMillis(2));
        };
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        log.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static ObjectNode record() {
        ObjectNode e = Canonical.JSON.createObjectNode();
        e.put("type", "call").put("call", "7f1c2a9e-1c0b-4b7e-9f51-2d3c4b5a6e7f").put("time", "2026-11-26T12:00:00.123456Z")
                .put("trace", "4bf92f3577b34da6a3ce929d0e0e4736").put("source", "10.0.3.17");
        e.putObject("principal").put("name", "ci-agent").put("kind", "aws-iam")
                .put("id", "arn:aws:iam::111122223333:role/ci-agent").putArray("groups").add("agents");
        e.put("session", "s-6b1d2c3e4f");
        e.putObject("client").put("userAgent", "kubectl/v1.32.0 (linux/amd64) kubernetes/abcdef").put("kubectlCommand", "kubectl get");
        e.putObject("request").put("method", "GET").put("verb", "list").put("path", "/api/v1/namespaces/prod/pods")
                .put("resourceRequest", true).put("apiGroup", "").put("apiVersion", "v1").put("resource", "pods")
                .put("subresource", "").put("namespace", "prod").put("name", "");
        e.putObject("decision").put("result", "allow").put("policyRevision", "188c08ba351b").putArray("reasons");
        e.put("level", "Metadata");
        e.putObject("response").put("code", 200).put("complete", true);
        e.put("latencyMs", 3).put("bytesIn", 0).put("bytesOut", 18_231).put("intent", false);
        return e;
    }

    /** A caller that waits until its record is durable (a mutating call's path). */
    @Benchmark
    @Threads(32)
    public AuditLog.Appended durable() throws Exception {
        return log.append(record(), true).get();
    }

    /** Records for reads: queued, not waited for (bounded by the writer's throughput). */
    @Benchmark
    @Threads(4)
    public CompletableFuture<AuditLog.Appended> queued() throws Exception {
        CompletableFuture<AuditLog.Appended> f = log.append(record(), false);
        if (log.queued() > 50_000) {
            f.get(); // back-pressure: measure the writer, not the queue
        }
        return f;
    }

    public static void main(String[] args) throws Exception {
        // Always this class only: options like -f 1 -wi 2 alone would otherwise run every benchmark.
        String[] all = new String[args.length + 1];
        all[0] = AuditLogBenchmark.class.getName();
        System.arraycopy(args, 0, all, 1, args.length);
        new Runner(new CommandLineOptions(all)).run();
    }
}
