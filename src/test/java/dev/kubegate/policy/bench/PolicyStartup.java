package dev.kubegate.policy.bench;

import dev.kubegate.policy.Fixtures;
import dev.kubegate.policy.PolicyEngine;

import java.time.Duration;
import java.util.Optional;

/**
 * Start-up cost of the policy in a fresh JVM: load + compile + prewarm the pool + probe, then the
 * first decisions. One JVM per measurement, as at process start:
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.policy.bench.PolicyStartup [pool-size [warm]]"
 * </pre>
 * Compare the evaluation modes with {@code dev.kubegate.policy.ModesBench} (same package as the
 * package-private WasmPolicy).
 */
public final class PolicyStartup {

    public static void main(String[] args) {
        int pool = args.length > 0 ? Integer.parseInt(args[0]) : 2 * Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        PolicyEngine engine = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.empty(), pool,
                Duration.ofSeconds(2), 1024, Duration.ofSeconds(5)));
        engine.start();
        long t1 = System.nanoTime();
        boolean warm = args.length > 1 && args[1].equals("warm");
        if (warm) {
            engine.warmUp(2000).join();
            System.out.printf("warm-up of 2000 evaluations: %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            t1 = System.nanoTime();
        }
        var pod = Fixtures.createPod();
        engine.decide(pod).toCompletableFuture().join();
        long t2 = System.nanoTime();
        for (int i = 0; i < 999; i++) {
            engine.decide(pod).toCompletableFuture().join();
        }
        long t3 = System.nanoTime();
        System.out.printf("pool %d: loaded in %d ms (%s); first decision %.1f ms; next 999 in %d ms%n", pool,
                (t1 - t0) / 1_000_000, engine.loaded().orElseThrow().mode(), (t2 - t1) / 1e6, (t3 - t2) / 1_000_000);
        engine.close();
    }
}
