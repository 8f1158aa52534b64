package dev.kubegate.policy;

/**
 * Start-up and steady-state cost of each way to run the policy module (see {@link WasmPolicy}):
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.policy.ModesBench SHARED_COMPILED 4"
 * </pre>
 * Run one mode per JVM: compiled classes and JIT state would otherwise carry over.
 */
public final class ModesBench {

    public static void main(String[] args) throws Exception {
        WasmPolicy.Mode mode = WasmPolicy.Mode.valueOf(args[0]);
        int instances = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long t0 = System.nanoTime();
        PolicyBundle bundle = PolicyBundle.builtIn();
        byte[] data = Fixtures.JSON.writeValueAsBytes(bundle.data());
        WasmPolicy policy = WasmPolicy.load(bundle.wasm(), mode);
        long t1 = System.nanoTime();
        WasmPolicy.Evaluator[] e = new WasmPolicy.Evaluator[instances];
        for (int i = 0; i < instances; i++) {
            e[i] = policy.newEvaluator(data);
        }
        long t2 = System.nanoTime();
        byte[] input = Fixtures.createPod().toJson();
        e[0].evaluate(input);
        long t3 = System.nanoTime();
        int n = mode == WasmPolicy.Mode.INTERPRETED ? 2_000 : 50_000;
        for (int i = 0; i < n; i++) {
            e[i % instances].evaluate(input);
        }
        long t4 = System.nanoTime();
        int m = n / 2;
        for (int i = 0; i < m; i++) {
            e[i % instances].evaluate(input);
        }
        long t5 = System.nanoTime();
        System.out.printf("%s: load+compile %d ms, %d instances %d ms, first evaluation %.1f ms, "
                        + "%d warm-up evaluations %d ms, then %.1f µs/evaluation%n",
                mode, (t1 - t0) / 1_000_000, instances, (t2 - t1) / 1_000_000, (t3 - t2) / 1e6, n, (t4 - t3) / 1_000_000,
                (t5 - t4) / 1e3 / m);
    }
}
