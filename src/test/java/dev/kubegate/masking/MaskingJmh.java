package dev.kubegate.masking;

import dev.kubegate.masking.bench.MaskingBenchmark;
import dev.kubegate.policy.PolicyDecision;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH: the maskers on whole inputs in 64 KiB chunks with the default pack's rules, each next to its
 * baseline in the same run, so figures are read as ratios. One op = one whole input; MB/s = input
 * MB × ops/s (sizes printed at setup: SecretList ≈ 105 MB, watch ≈ 6.8 MB, log ≈ 33.6 MB).
 * <ul>
 *   <li>{@code secretList*}: 100 MB SecretList — {@code Parse} (Jackson's non-blocking parser
 *       alone: the floor) vs {@code Mask} (by location) vs {@code MaskByValue} (the path of a request
 *       for Secrets: {@link WholeObjectMasker} in front of the same {@link JsonMasker});</li>
 *   <li>{@code watch*}: 10,000 Secret watch events — parse vs mask vs mask by value;</li>
 *   <li>{@code log*}: 32 MB of logs — {@code NoPrefilter} (every regex on every line, the previous
 *       LineMasker) vs {@code Mask} (required-literal prefilter), and {@code Copy} (a byte copy).</li>
 * </ul>
 * Run (short, the machine is shared), after {@code ./mvnw -o test-compile}:
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-Xmx2g -cp %classpath dev.kubegate.masking.MaskingJmh -f 1 -wi 2 -i 3"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class MaskingJmh {

    static final int CHUNK = 64 << 10;

    MaskRules rules;
    byte[] list;
    byte[] watch;
    byte[] log;

    @Setup(Level.Trial)
    public void load() throws IOException {
        var m = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("policies/rego/data.json").toFile()).at("/kubegate/mask");
        List<String> keys = new ArrayList<>(), logs = new ArrayList<>();
        m.get("keyPatterns").forEach(n -> keys.add(n.asText()));
        m.get("logPatterns").forEach(n -> logs.add(n.asText()));
        rules = new PolicyDecision.Mask(true, keys, logs).rules();
        list = Generated.secretList(100L << 20).readAllBytes();
        watch = Generated.watch(10_000).readAllBytes();
        log = MaskingBenchmark.logs(32 << 20);
        System.out.printf("%ninputs: SecretList %.1f MB, watch %.1f MB, log %.1f MB%n",
                list.length / 1e6, watch.length / 1e6, log.length / 1e6);
    }

    static long run(StreamMasker m, byte[] in) {
        long out = 0;
        for (int off = 0; off < in.length; off += CHUNK) {
            out += m.feed(in, off, Math.min(CHUNK, in.length - off)).length;
        }
        return out + m.finish().length;
    }

    private static long parseChunks(byte[] in) {
        MaskingBenchmark.Masker p = MaskingBenchmark.parseOnly();
        long n = 0;
        for (int off = 0; off < in.length; off += CHUNK) {
            n += p.feed(in, off, Math.min(CHUNK, in.length - off));
        }
        return n + p.finish();
    }

    @Benchmark
    public long secretListParse() {
        return parseChunks(list);
    }

    @Benchmark
    public long secretListMask() {
        return run(new JsonMasker(rules, ResourceHint.NONE), list);
    }

    /** The same list, as an answer to a request for Secrets: each item held whole and masked by value too. */
    @Benchmark
    public long secretListMaskByValue() {
        return run(WholeObjectMasker.forAnswer(rules, ResourceHint.SECRETS), list);
    }

    @Benchmark
    public long watchParse() {
        return parseChunks(watch);
    }

    @Benchmark
    public long watchMask() {
        return run(new JsonMasker(rules, ResourceHint.NONE), watch);
    }

    @Benchmark
    public long watchMaskByValue() {
        return run(WholeObjectMasker.forAnswer(rules, ResourceHint.SECRETS), watch);
    }

    @Benchmark
    public long logCopy() {
        long n = 0;
        for (int off = 0; off < log.length; off += CHUNK) {
            n += java.util.Arrays.copyOfRange(log, off, Math.min(off + CHUNK, log.length)).length;
        }
        return n;
    }

    @Benchmark
    public long logNoPrefilter() {
        return run(new LineMasker(rules.logPatterns(), false), log);
    }

    @Benchmark
    public long logMask() {
        return run(new LineMasker(rules.logPatterns(), true), log);
    }

    public static void main(String[] args) throws Exception {
        new Runner(new CommandLineOptions(args.length == 0 ? new String[] {MaskingJmh.class.getName()}
                : prepend(MaskingJmh.class.getName(), args))).run();
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
