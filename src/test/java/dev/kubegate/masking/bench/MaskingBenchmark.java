package dev.kubegate.masking.bench;

import dev.kubegate.masking.Generated;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.MaskRules;
import dev.kubegate.masking.ResourceHint;
import dev.kubegate.policy.PolicyDecision;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Masker throughput (issue 5: target ≥ 200 MB/s): a 100 MB SecretList and a 10,000-event Secret
 * watch through {@link JsonMasker} in 64 KiB chunks, and logs through {@link LineMasker}, with the
 * default pack's rules. Inputs are generated in memory first; only masking is timed. Run (after
 * {@code ./mvnw -o test-compile}):
 * <pre>
 * ./mvnw -o -q exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.kubegate.masking.bench.MaskingBenchmark"
 * </pre>
 */
public final class MaskingBenchmark {
    static final int CHUNK = 64 << 10;

    public static void main(String[] args) throws IOException {
        var m = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("policies/rego/data.json").toFile()).at("/kubegate/mask");
        List<String> keys = new ArrayList<>(), logs = new ArrayList<>();
        m.get("keyPatterns").forEach(n -> keys.add(n.asText()));
        m.get("logPatterns").forEach(n -> logs.add(n.asText()));
        MaskRules rules = new PolicyDecision.Mask(true, keys, logs).rules();

        byte[] list = readAll(Generated.secretList(100L << 20));
        byte[] watch = readAll(Generated.watch(10_000));
        byte[] log = logs(32 << 20);
        System.out.printf("inputs: SecretList %.1f MB, watch %.1f MB (10,000 events), log %.1f MB%n",
                list.length / 1e6, watch.length / 1e6, log.length / 1e6);

        run("baseline: Jackson parse only", list, MaskingBenchmark::parseOnly);
        run("SecretList 100 MB (hint NONE)", list, () -> json(rules, ResourceHint.NONE));
        run("SecretList 100 MB (hint SECRETS)", list, () -> json(rules, ResourceHint.SECRETS));
        run("watch 10,000 events", watch, () -> json(rules, ResourceHint.NONE));
        run("pods/log 32 MB", log, () -> {
            LineMasker lm = LineMasker.of(rules);
            return new Masker() {
                public int feed(byte[] b, int off, int len) {
                    return lm.feed(b, off, len).length;
                }

                public int finish() {
                    return lm.flush().length;
                }
            };
        });
    }

    public interface Masker {
        int feed(byte[] b, int off, int len);

        int finish();
    }

    static Masker json(MaskRules rules, ResourceHint hint) {
        JsonMasker jm = new JsonMasker(rules, hint);
        return new Masker() {
            public int feed(byte[] b, int off, int len) {
                return jm.feed(b, off, len).length;
            }

            public int finish() {
                return jm.finish().length;
            }
        };
    }

    /** The floor: Jackson's non-blocking parser alone, no output (what masking cannot beat). */
    public static Masker parseOnly() {
        try {
            var p = new com.fasterxml.jackson.core.JsonFactory().createNonBlockingByteArrayParser();
            var feeder = (com.fasterxml.jackson.core.async.ByteArrayFeeder) p.getNonBlockingInputFeeder();
            return new Masker() {
                public int feed(byte[] b, int off, int len) {
                    try {
                        feeder.feedInput(b, off, off + len);
                        int n = 0;
                        for (var t = p.nextToken(); t != null && t != com.fasterxml.jackson.core.JsonToken.NOT_AVAILABLE; t = p.nextToken()) {
                            if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                                n += p.getTextLength();
                            }
                        }
                        return n;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                public int finish() {
                    feeder.endOfInput();
                    return 0;
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void run(String name, byte[] in, Supplier<Masker> make) {
        double[] mbs = new double[8];
        for (int i = 0; i < mbs.length; i++) { // the first 3 are warm-up
            long t0 = System.nanoTime();
            Masker m = make.get();
            long out = 0;
            for (int off = 0; off < in.length; off += CHUNK) {
                out += m.feed(in, off, Math.min(CHUNK, in.length - off));
            }
            out += m.finish();
            long ns = System.nanoTime() - t0;
            mbs[i] = in.length / 1e6 / (ns / 1e9);
            if (out == 0) {
                throw new AssertionError("no output");
            }
        }
        double[] measured = Arrays.copyOfRange(mbs, 3, mbs.length);
        Arrays.sort(measured);
        System.out.printf("%-34s median %6.0f MB/s  best %6.0f MB/s  (warm-up %s)%n", name,
                measured[measured.length / 2], measured[measured.length - 1],
                Arrays.toString(Arrays.stream(mbs, 0, 3).mapToLong(Math::round).toArray()));
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    public static byte[] logs(int size) {
        String[] lines = {
                "2026-11-26T08:00:00.123Z INFO  request handled path=/api/v1/items status=200 duration=12ms",
                "2026-11-26T08:00:00.124Z DEBUG connecting to postgres://app:s3cr3t@db:5432/orders",
                "2026-11-26T08:00:00.125Z WARN  retrying upstream call attempt=2 backoff=200ms",
                "2026-11-26T08:00:00.126Z INFO  auth header Authorization: Bearer abc.def.ghi user=svc",
                "2026-11-26T08:00:00.127Z INFO  cache hit ratio=0.93 entries=18234 evictions=12"};
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 200);
        for (int i = 0; out.size() < size; i++) {
            out.writeBytes(lines[i % lines.length].getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
