package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.policy.PolicyDecision;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers: the default policy pack's mask rules, JSON shorthand, chunked feeding. */
final class MaskingFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private MaskingFixtures() {
    }

    /** The rules of the default pack (policies/rego/data.json), as policy hands them over. */
    static MaskRules defaults() {
        try {
            JsonNode m = JSON.readTree(Path.of("policies/rego/data.json").toFile()).at("/kubegate/mask");
            return new PolicyDecision.Mask(m.get("secrets").asBoolean(),
                    strings(m.get("keyPatterns")), strings(m.get("logPatterns"))).rules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** JSON with ' for " so test documents stay readable. */
    static String j(String s) {
        return s.replace('\'', '"');
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Masks the whole input in one chunk. */
    static String mask(JsonMasker m, String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(m.feed(utf8(json)));
        out.writeBytes(m.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Masks the input in chunks cut at the given offsets (ascending). */
    static String maskSplit(StreamMasker m, byte[] in, int... cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int c : cuts) {
            out.writeBytes(m.feed(in, from, c - from));
            from = c;
        }
        out.writeBytes(m.feed(in, from, in.length - from));
        out.writeBytes(m.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    static String lines(LineMasker m, byte[] in, int... cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int c : cuts) {
            out.writeBytes(m.feed(in, from, c - from));
            from = c;
        }
        out.writeBytes(m.feed(in, from, in.length - from));
        out.writeBytes(m.flush());
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
