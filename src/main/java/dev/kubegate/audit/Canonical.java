package dev.kubegate.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The byte form of an audit entry. An entry is written as canonical JSON — object keys sorted
 * (Java {@link String#compareTo} order), no insignificant whitespace, Jackson's number and string
 * escaping — with its {@code hash} field appended last:
 * <pre>{"id":"…","prev":"…","seq":7,"stream":"…",…,"hash":"&lt;sha-256 hex&gt;"}\n</pre>
 * The hash is SHA-256 over the line without {@code ,"hash":"…"} (that is, over the canonical bytes
 * of every other field). A verifier therefore re-hashes the exact bytes it read; it never needs to
 * re-serialize, so nothing depends on two JSON libraries agreeing.
 */
public final class Canonical {

    public static final ObjectMapper JSON = new ObjectMapper();
    static final JsonFactory FACTORY = JSON.getFactory();
    static final byte[] HASH_MARK = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    public static final String ZERO_HASH = "0".repeat(64);

    private Canonical() {
    }

    /** Canonical JSON bytes of a node. */
    public static byte[] bytes(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        if (n.isObject()) {
            List<String> names = new ArrayList<>(n.size());
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(null);
            g.writeStartObject();
            for (String name : names) {
                g.writeFieldName(name);
                write(g, n.get(name));
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode e : n) {
                write(g, e);
            }
            g.writeEndArray();
        } else {
            JSON.writeTree(g, n);
        }
    }

    /** A sealed line (with {@code hash} and the trailing newline) and its hash. */
    public record Sealed(byte[] line, String hash) {
    }

    /** Seals an entry: canonical bytes, SHA-256, then {@code ,"hash":"…"}} and a newline. */
    public static Sealed seal(ObjectNode entry) {
        if (entry.has("hash")) {
            throw new IllegalArgumentException("an entry is sealed once");
        }
        byte[] body = bytes(entry);
        String hash = sha256(body, 0, body.length);
        byte[] h = hash.getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[body.length - 1 + HASH_MARK.length + h.length + 3];
        System.arraycopy(body, 0, line, 0, body.length - 1);
        int at = body.length - 1;
        System.arraycopy(HASH_MARK, 0, line, at, HASH_MARK.length);
        at += HASH_MARK.length;
        System.arraycopy(h, 0, line, at, h.length);
        at += h.length;
        line[at++] = '"';
        line[at++] = '}';
        line[at] = '\n';
        return new Sealed(line, hash);
    }

    /**
     * Splits a line (without its newline) into the hashed bytes and the hash it claims, and checks
     * them. Returns null when the line has no well-formed trailing hash field.
     */
    public static Opened open(byte[] line, int len) {
        // ,"hash":"<64 hex>"}  = 9 + 64 + 2 bytes at the very end
        int tail = HASH_MARK.length + 64 + 2;
        if (len < tail + 2 || line[len - 1] != '}' || line[len - 2] != '"') {
            return null;
        }
        int mark = len - tail;
        for (int i = 0; i < HASH_MARK.length; i++) {
            if (line[mark + i] != HASH_MARK[i]) {
                return null;
            }
        }
        String claimed = new String(line, mark + HASH_MARK.length, 64, StandardCharsets.US_ASCII);
        byte[] body = new byte[mark + 1];
        System.arraycopy(line, 0, body, 0, mark);
        body[mark] = '}';
        String actual = sha256(body, 0, body.length);
        return new Opened(body, claimed, actual.equals(claimed));
    }

    /** @param body the hashed bytes; @param hash the hash the line claims; @param intact whether it matches */
    public record Opened(byte[] body, String hash, boolean intact) {
    }

    public static String sha256(byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, off, len);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
