package dev.kubegate.masking;

import dev.kubegate.policy.PolicyDecision;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JMH: one hostile 64 KiB log line (plus its newline) through the log masker with the default
 * pack's patterns, ms per line. {@code masker} is the masker as shipped (the patterns as one lazy
 * DFA, {@link TextPatterns}); as baselines in the same run, {@code re2jBefore} is the same masker
 * with every pattern on RE2/J (required-literal prefilter included: what it did before) and
 * {@code javaRegexBefore} runs the patterns with {@code java.util.regex} (what it did before that);
 * {@code knownValues} adds 50 known Secret values (raw and base64 automata) in front of the patterns.
 *
 * <p>Lines: {@code jwtLike} (two JWT segments, no signature: the JWT pattern must scan and fail),
 * {@code jwtDots} ({@code x://} then {@code eyJabcdef.} repeated), {@code urlLike} ({@code http://}
 * then {@code a.} repeated, no {@code @}) — the last two make java.util.regex's URL pattern
 * backtrack quadratically (seconds, minutes), {@code equalsRun}, {@code aRun}, {@code kvSoup}
 * ({@code password=x&token=y;} ...), {@code everyLiteral} (each pattern's literal, repeated).
 * Run (short, the machine is shared), after {@code ./mvnw -o test-compile}:
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.masking.HostileLogJmh -f 1 -wi 3 -i 5"
 * </pre>
 * Add {@code -p line=aRun} and the like to pick lines; on {@code jwtDots} and {@code urlLike}
 * {@code javaRegexBefore} takes seconds to minutes per line: measure those with
 * {@code -bm ss -wi 0 -i 1 -p line=jwtDots}, or leave that benchmark out ({@code -e javaRegexBefore}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class HostileLogJmh {

    static final int LINE = 64 << 10;

    @Param({"jwtLike", "jwtDots", "urlLike", "equalsRun", "aRun", "kvSoup", "everyLiteral"})
    public String line;

    MaskRules rules;
    MaskRules withValues;
    List<java.util.regex.Pattern> javaPatterns;
    byte[] bytes;
    String text;

    @Setup(Level.Trial)
    public void load() throws IOException {
        var m = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("policies/rego/data.json").toFile()).at("/kubegate/mask");
        List<String> logs = new ArrayList<>();
        m.get("logPatterns").forEach(n -> logs.add(n.asText()));
        rules = new PolicyDecision.Mask(true, List.of(), logs).rules();
        javaPatterns = logs.stream().map(java.util.regex.Pattern::compile).toList();
        List<byte[]> values = new ArrayList<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 50; i++) {
            byte[] v = new byte[8 + r.nextInt(40)];
            for (int k = 0; k < v.length; k++) {
                v[k] = (byte) ('!' + r.nextInt(94));
            }
            values.add(v);
        }
        withValues = rules.withKnownValues(KnownValues.of(values));
        text = hostile(line);
        bytes = (text + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static String hostile(String kind) {
        return switch (kind) {
            case "jwtLike" -> fill("eyJ" + "A".repeat(LINE / 2) + ".eyJ", "B");
            case "jwtDots" -> fill("x://", "eyJabcdef.");
            case "urlLike" -> fill("http://", "a.");
            case "equalsRun" -> fill("password", "=");
            case "aRun" -> fill("bearer ", "a");
            case "kvSoup" -> fill("", "password=x&token=y;secret=z,api_key:w ");
            case "everyLiteral" -> fill("", "eyJhb.eyJ AKIA password= Bearer x://y:z --token ghp_ -----BEGIN aws_secret_access_key ");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static String fill(String head, String unit) {
        StringBuilder sb = new StringBuilder(LINE).append(head);
        while (sb.length() + unit.length() <= LINE) {
            sb.append(unit);
        }
        return sb.toString();
    }

    @Benchmark
    public int masker() {
        LineMasker m = LineMasker.of(rules);
        return m.feed(bytes, 0, bytes.length).length + m.finish().length;
    }

    @Benchmark
    public int re2jBefore() {
        LineMasker m = new LineMasker(rules.logPatterns(), true, KnownValues.NONE, false);
        return m.feed(bytes, 0, bytes.length).length + m.finish().length;
    }

    @Benchmark
    public int knownValues() {
        LineMasker m = LineMasker.of(withValues);
        return m.feed(bytes, 0, bytes.length).length + m.finish().length;
    }

    /** The old masker's work: its required-literal prefilter, then java.util.regex on the line. */
    @Benchmark
    public int javaRegexBefore() {
        int found = 0;
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < javaPatterns.size(); i++) {
            RequiredLiterals r = RequiredLiterals.of(rules.logPatterns().get(i)).orElse(null);
            if (r != null && java.util.Arrays.stream(r.literals).noneMatch((r.caseInsensitive ? lower : text)::contains)) {
                continue;
            }
            java.util.regex.Matcher m = javaPatterns.get(i).matcher(text);
            while (m.find()) {
                found++;
            }
        }
        return found;
    }

    public static void main(String[] args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = HostileLogJmh.class.getName();
        System.arraycopy(args, 0, all, 1, args.length);
        new Runner(new CommandLineOptions(all)).run();
    }
}
