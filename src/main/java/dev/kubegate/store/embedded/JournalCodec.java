package dev.kubegate.store.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kubegate.store.StateStore.Document;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * One journal or snapshot line: {@code <crc32 of the JSON, 8 hex digits> <JSON>\n}. Every record is an
 * absolute state (a whole document, a deletion, all counters of a key), so replaying a record twice
 * is harmless. The checksum tells a torn or damaged line from a valid one.
 */
final class JournalCodec {

    /** A decoded line. Exactly one of the shapes is filled, according to {@code op}. */
    record Entry(String op, Document document, String kind, String id, String counterKey,
                 Map<String, Long> counters, Instant expiresAt, long generation) {

        static final String PUT = "put";
        static final String DELETE = "del";
        static final String COUNTERS = "counters";
        static final String SNAPSHOT = "snapshot";
    }

    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalCodec() {
    }

    static byte[] put(Document d) {
        ObjectNode n = JSON.createObjectNode().put("op", Entry.PUT).put("kind", d.kind()).put("id", d.id())
                .put("version", d.version()).put("json", d.json()).put("updatedAt", d.updatedAt().toString());
        if (d.expiresAt() != null) {
            n.put("expiresAt", d.expiresAt().toString());
        }
        return line(n);
    }

    static byte[] delete(String kind, String id) {
        return line(JSON.createObjectNode().put("op", Entry.DELETE).put("kind", kind).put("id", id));
    }

    static byte[] counters(String key, Map<String, Long> values, Instant expiresAt) {
        ObjectNode n = JSON.createObjectNode().put("op", Entry.COUNTERS).put("key", key);
        ObjectNode v = n.putObject("values");
        values.forEach(v::put);
        if (expiresAt != null) {
            n.put("expiresAt", expiresAt.toString());
        }
        return line(n);
    }

    static byte[] snapshotHeader(long generation) {
        return line(JSON.createObjectNode().put("op", Entry.SNAPSHOT).put("format", FORMAT).put("generation", generation));
    }

    private static byte[] line(ObjectNode n) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] out = new byte[9 + json.length + 1];
        byte[] crc = String.format("%08x ", crc(json, 0, json.length)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(crc, 0, out, 0, 9);
        System.arraycopy(json, 0, out, 9, json.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /** Decodes one line (without its newline); throws {@link IOException} when damaged. */
    static Entry decode(byte[] line, int length) throws IOException {
        if (length < 11 || line[8] != ' ') {
            throw new IOException("malformed line");
        }
        long expected;
        try {
            expected = Long.parseLong(new String(line, 0, 8, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            throw new IOException("malformed checksum");
        }
        if (crc(line, 9, length - 9) != expected) {
            throw new IOException("checksum mismatch");
        }
        JsonNode n = JSON.readTree(line, 9, length - 9);
        try {
            String op = text(n, "op");
            return switch (op) {
                case Entry.PUT -> new Entry(op, new Document(text(n, "kind"), text(n, "id"), n.required("version").asLong(),
                        text(n, "json"), Instant.parse(text(n, "updatedAt")), instant(n)), null, null, null, null, null, 0);
                case Entry.DELETE -> new Entry(op, null, text(n, "kind"), text(n, "id"), null, null, null, 0);
                case Entry.COUNTERS -> {
                    Map<String, Long> values = new LinkedHashMap<>();
                    n.required("values").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asLong()));
                    yield new Entry(op, null, null, null, text(n, "key"), values, instant(n), 0);
                }
                case Entry.SNAPSHOT -> {
                    if (n.required("format").asInt() != FORMAT) {
                        throw new IOException("unsupported snapshot format " + n.get("format"));
                    }
                    yield new Entry(op, null, null, null, null, null, null, n.required("generation").asLong());
                }
                default -> throw new IOException("unknown record '" + op + "'");
            };
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new IOException("invalid record: " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.required(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n) {
        JsonNode v = n.get("expiresAt");
        return v == null || v.isNull() ? null : Instant.parse(v.asText());
    }

    private static long crc(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return c.getValue();
    }
}
