package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.kubegate.masking.MaskingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Large streams with bounded heap, and a property check against a tree-based reference masker. */
class JsonMaskerStreamTest {

    static final MaskRules RULES = defaults();

    /** Scans output for the secret marker across chunk boundaries, counts lines. */
    static final class Sink {
        long bytes, lines;
        String carry = "";
        boolean leaked;

        void accept(byte[] b) {
            bytes += b.length;
            for (byte x : b) {
                if (x == '\n') {
                    lines++;
                }
            }
            String s = carry + new String(b, StandardCharsets.ISO_8859_1);
            leaked |= s.contains(Generated.MARKER);
            carry = s.substring(Math.max(0, s.length() - Generated.MARKER.length()));
        }
    }

    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void hundredMegabyteSecretListInBoundedHeap() {
        Generated in = Generated.secretList(100L << 20);
        JsonMasker m = new JsonMasker(RULES, ResourceHint.NONE);
        Sink sink = new Sink();
        byte[] chunk = new byte[64 << 10];
        long base = usedAfterGc(), peak = 0, read = 0, nextSample = 0;
        int r;
        while ((r = in.read(chunk, 0, chunk.length)) > 0) {
            sink.accept(m.feed(chunk, 0, r));
            read += r;
            if (read >= nextSample) {
                peak = Math.max(peak, usedAfterGc() - base);
                nextSample += 10L << 20;
            }
        }
        sink.accept(m.finish());
        assertThat(read).isGreaterThan(100L << 20);
        assertThat(sink.leaked).isFalse();
        assertThat(m.maskedCount()).isEqualTo(2L * in.count());
        System.out.printf("100 MB SecretList: %d items, peak retained heap growth %d KiB%n", in.count(), peak >> 10);
        assertThat(peak).as("retained heap growth while streaming 100 MB").isLessThan(16L << 20);
    }

    @Test
    void watchStreamOfManyEvents() {
        Generated in = Generated.watch(20_000);
        JsonMasker m = new JsonMasker(RULES, ResourceHint.NONE);
        Sink sink = new Sink();
        byte[] chunk = new byte[1500]; // a packet at a time: events straddle chunks
        int r;
        while ((r = in.read(chunk, 0, chunk.length)) > 0) {
            sink.accept(m.feed(chunk, 0, r));
        }
        sink.accept(m.finish());
        assertThat(sink.lines).isEqualTo(20_000);
        assertThat(sink.leaked).isFalse();
        assertThat(m.maskedCount()).isEqualTo(40_000);
    }

    // ---- property: output = reference(input) for random Kubernetes-shaped documents ----

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void randomDocumentsMatchTheReferenceMasker() throws Exception {
        for (int seed = 0; seed < 500; seed++) {
            Random rnd = new Random(seed);
            JsonNode doc = randomDoc(rnd);
            String in = JSON.writeValueAsString(doc);
            byte[] bytes = utf8(in);
            int cut = rnd.nextInt(bytes.length + 1);
            String out = maskSplit(new JsonMasker(RULES, ResourceHint.NONE), bytes, cut);
            JsonNode expected = reference(doc.deepCopy());
            assertThat(tree(out)).as("seed %d: %s", seed, in).isEqualTo(expected);
        }
    }

    static JsonNode randomDoc(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> secret(r, true);
            case 1 -> configMap(r, true);
            case 2 -> workload(r);
            case 3 -> list(r, "SecretList", () -> secret(r, false));
            case 4 -> {
                ObjectNode l = list(r, "List", () -> switch (r.nextInt(3)) {
                    case 0 -> secret(r, true);
                    case 1 -> configMap(r, true);
                    default -> workload(r);
                });
                yield l;
            }
            default -> {
                ObjectNode t = F.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
                ArrayNode rows = t.putArray("rows");
                for (int i = r.nextInt(4); i > 0; i--) {
                    ObjectNode row = rows.addObject();
                    row.putArray("cells").add(word(r)).add(r.nextInt(100));
                    row.set("object", r.nextBoolean() ? secret(r, true) : configMap(r, true));
                }
                yield t;
            }
        };
    }

    static ObjectNode list(Random r, String kind, java.util.function.Supplier<JsonNode> item) {
        ObjectNode l = F.objectNode().put("kind", kind).put("apiVersion", "v1");
        l.putObject("metadata").put("resourceVersion", "" + r.nextInt(1000));
        ArrayNode items = l.putArray("items");
        for (int i = r.nextInt(5); i > 0; i--) {
            items.add(item.get());
        }
        return l;
    }

    static ObjectNode secret(Random r, boolean withKind) {
        ObjectNode s = F.objectNode();
        if (withKind) {
            s.put("kind", "Secret").put("apiVersion", "v1");
        }
        s.set("metadata", meta(r));
        s.set("data", map(r));
        if (r.nextBoolean()) {
            s.set("stringData", map(r));
        }
        s.put("type", "Opaque");
        return s;
    }

    static ObjectNode configMap(Random r, boolean withKind) {
        ObjectNode c = F.objectNode();
        if (withKind) {
            c.put("kind", "ConfigMap").put("apiVersion", "v1");
        }
        c.set("metadata", meta(r));
        c.set("data", map(r));
        if (r.nextBoolean()) {
            c.set("binaryData", map(r));
        }
        return c;
    }

    static ObjectNode workload(Random r) {
        String kind = new String[]{"Pod", "Deployment", "StatefulSet", "Job"}[r.nextInt(4)];
        ObjectNode w = F.objectNode().put("kind", kind).put("apiVersion", "apps/v1");
        w.set("metadata", meta(r));
        ObjectNode podSpec = F.objectNode();
        for (String field : new String[]{"initContainers", "containers"}) {
            ArrayNode cs = podSpec.putArray(field);
            for (int i = r.nextInt(3); i > 0; i--) {
                ObjectNode c = cs.addObject().put("name", word(r)).put("image", "nginx:1." + r.nextInt(30));
                ArrayNode env = c.putArray("env");
                for (int e = r.nextInt(4); e > 0; e--) {
                    ObjectNode entry = env.addObject().put("name", key(r));
                    if (r.nextInt(4) == 0) {
                        entry.putObject("valueFrom").putObject("secretKeyRef").put("name", "s").put("key", "k");
                    } else {
                        entry.put("value", word(r));
                    }
                }
            }
        }
        podSpec.set("extra", generic(r, 3));
        if (kind.equals("Pod")) {
            w.set("spec", podSpec);
        } else {
            w.putObject("spec").put("replicas", 2).putObject("template").set("spec", podSpec);
        }
        w.putObject("status").set("conditions", generic(r, 2));
        return w;
    }

    static ObjectNode meta(Random r) {
        ObjectNode m = F.objectNode().put("name", word(r)).put("namespace", "ns-" + r.nextInt(3));
        m.putObject("labels").put("app", word(r));
        if (r.nextBoolean()) {
            m.set("x", generic(r, 2));
        }
        return m;
    }

    static ObjectNode map(Random r) {
        ObjectNode m = F.objectNode();
        for (int i = r.nextInt(4); i > 0; i--) {
            m.put(key(r), word(r));
        }
        return m;
    }

    static JsonNode generic(Random r, int depth) {
        return switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0 -> TextNode.valueOf(word(r));
            case 1 -> F.numberNode(r.nextInt(2) == 0 ? r.nextInt() : r.nextDouble());
            case 2 -> F.booleanNode(r.nextBoolean());
            case 3 -> F.nullNode();
            case 4 -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(3); i > 0; i--) {
                    a.add(generic(r, depth - 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                for (int i = r.nextInt(3); i > 0; i--) {
                    o.set(key(r), generic(r, depth - 1));
                }
                yield o;
            }
        };
    }

    static final String[] KEYS = {"password", "user", "color", "API_TOKEN", "host", "ssh-privatekey", "port", "é😀", "data", "kind"};

    static String key(Random r) {
        return KEYS[r.nextInt(KEYS.length)];
    }

    static String word(Random r) {
        String[] w = {"alpha", "b\u00e9ta", "\"quoted\"", "line\nbreak", "\u2028", "😀", "", "x".repeat(r.nextInt(50))};
        return w[r.nextInt(w.length)] + r.nextInt(100);
    }

    // The reference: the same rules, applied to a whole tree (only for documents with kind first).

    static JsonNode reference(JsonNode doc) {
        resource((ObjectNode) doc, null);
        return doc;
    }

    static void resource(ObjectNode o, String inherited) {
        String kind = o.has("kind") ? o.get("kind").asText() : inherited;
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            switch (name) {
                case "data", "stringData", "binaryData" -> {
                    boolean secret = kind == null || kind.equals("Secret");
                    boolean b64 = name.equals("binaryData") || name.equals("data") && secret;
                    v.fields().forEachRemaining(e -> {
                        if (secret || "ConfigMap".equals(kind) && RULES.keyMatches(e.getKey())) {
                            e.setValue(TextNode.valueOf(b64 ? JsonMasker.BASE64_PLACEHOLDER : JsonMasker.PLACEHOLDER));
                        }
                    });
                }
                case "items" -> v.forEach(i -> resource((ObjectNode) i,
                        kind != null && kind.endsWith("List") && kind.length() > 4 ? kind.substring(0, kind.length() - 4) : null));
                case "rows" -> v.forEach(row -> resource((ObjectNode) row.get("object"), null));
                default -> generic(v);
            }
        }
    }

    static final Set<String> CONTAINERS = Set.of("containers", "initContainers", "ephemeralContainers");

    static void generic(JsonNode v) {
        if (v.isArray()) {
            v.forEach(JsonMaskerStreamTest::generic);
        } else if (v.isObject()) {
            v.fields().forEachRemaining(f -> {
                if (CONTAINERS.contains(f.getKey()) && f.getValue().isArray()) {
                    f.getValue().forEach(c -> {
                        c.fields().forEachRemaining(cf -> {
                            if (cf.getKey().equals("env") && cf.getValue().isArray()) {
                                cf.getValue().forEach(e -> {
                                    if (e.has("value") && RULES.keyMatches(e.get("name").asText())) {
                                        ((ObjectNode) e).put("value", JsonMasker.PLACEHOLDER);
                                    }
                                });
                            } else {
                                generic(cf.getValue());
                            }
                        });
                    });
                } else {
                    generic(f.getValue());
                }
            });
        }
    }
}
