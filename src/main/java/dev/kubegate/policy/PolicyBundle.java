package dev.kubegate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A policy as {@code opa build -t wasm -e kubegate/decision} produces it: the WASM module of the
 * entrypoint and the bundle's data documents. Read from a bundle {@code .tar.gz} or from a bare
 * {@code policy.wasm} (no data). Immutable; plain Java.
 *
 * @param wasm     the module that evaluates {@link #ENTRYPOINT}
 * @param data     every {@code data.json} of the bundle merged at its directory's path
 * @param revision sha256 of the bundle bytes, first 12 hex digits: what readiness, metrics and audit show
 * @param source   where it came from, for messages
 * @param rego     the Rego sources {@code opa build} put beside the module, by file name (none for a bare
 *                 {@code .wasm}): what {@link InputReads} derives the decision cache key from
 */
public record PolicyBundle(byte[] wasm, ObjectNode data, String revision, String source, Map<String, String> rego) {

    public PolicyBundle {
        rego = Map.copyOf(rego);
    }

    public static final String ENTRYPOINT = "kubegate/decision";

    /** Classpath location of the default pack, compiled from policies/rego by the build. */
    public static final String BUILT_IN = "/policy/bundle.tar.gz";

    /** Bundles are small (the default is ~60 KiB): refuse to inflate anything absurd. */
    private static final long MAX_UNPACKED = 64L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The default pack packaged in the application. */
    public static PolicyBundle builtIn() throws IOException {
        try (InputStream in = PolicyBundle.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IOException("the built-in policy bundle " + BUILT_IN + " is not on the classpath; build with ./mvnw package");
            }
            return parse(in.readAllBytes(), "built-in " + BUILT_IN);
        }
    }

    /**
     * Reads a bundle {@code .tar.gz} or a bare WASM module (recognised by their magic bytes,
     * whatever the file is called).
     */
    public static PolicyBundle parse(byte[] bytes, String source) throws IOException {
        String revision = revisionOf(bytes);
        if (bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm') {
            return new PolicyBundle(bytes, JsonNodeFactory.instance.objectNode(), revision, source, Map.of());
        }
        if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) {
            throw new IOException(source + " is neither a bundle .tar.gz nor a .wasm module");
        }
        byte[] manifest = null;
        Map<String, byte[]> files = new java.util.HashMap<>();
        Map<String, String> rego = new java.util.HashMap<>();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, byte[]> e : untar(bytes, source).entrySet()) {
            String name = e.getKey();
            if (name.equals(".manifest")) {
                manifest = e.getValue();
            } else if (name.equals("data.json") || name.endsWith("/data.json")) {
                JsonNode doc = JSON.readTree(e.getValue());
                if (!(doc instanceof ObjectNode obj)) {
                    throw new IOException(source + ": " + name + " is not a JSON object");
                }
                ObjectNode at = data;
                String dir = name.substring(0, name.length() - "data.json".length());
                for (String key : dir.split("/")) {
                    if (!key.isEmpty()) {
                        at = at.get(key) instanceof ObjectNode o ? o : at.putObject(key);
                    }
                }
                merge(at, obj);
            } else {
                if (name.endsWith(".rego")) {
                    rego.put(name, new String(e.getValue(), StandardCharsets.UTF_8));
                }
                files.put(name, e.getValue());
            }
        }
        String module = "policy.wasm";
        if (manifest != null) {
            JsonNode wasm = JSON.readTree(manifest).path("wasm");
            module = null;
            for (JsonNode m : wasm) {
                if (ENTRYPOINT.equals(m.path("entrypoint").asText())) {
                    module = m.path("module").asText().replaceFirst("^/+", "");
                }
            }
            if (module == null) {
                throw new IOException(source + " has no WASM module for entrypoint " + ENTRYPOINT
                        + "; build it with opa build -t wasm -e " + ENTRYPOINT);
            }
        }
        byte[] wasm = files.get(module);
        if (wasm == null) {
            throw new IOException(source + " has no " + module + "; build it with opa build -t wasm -e " + ENTRYPOINT);
        }
        return new PolicyBundle(wasm, data, revision, source, rego);
    }

    /** Deep merge: objects merge key by key, anything else in {@code over} replaces. */
    static void merge(ObjectNode into, ObjectNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (into.get(e.getKey()) instanceof ObjectNode a && e.getValue() instanceof ObjectNode b) {
                merge(a, b);
            } else {
                into.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    static String revisionOf(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Regular files of a POSIX tar inside gzip, by name without a leading "/" or "./". Only what
     * opa build writes is needed: ustar headers, GNU long names tolerated.
     */
    private static Map<String, byte[]> untar(byte[] gz, String source) throws IOException {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] header = new byte[512];
            long total = 0;
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                String octal = cString(header, 124, 12).trim();
                long size = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
                total += size;
                if (size < 0 || total > MAX_UNPACKED) {
                    throw new IOException(source + ": bundle unpacks to more than " + (MAX_UNPACKED >> 20) + " MiB");
                }
                byte[] body = in.readNBytes((int) size);
                if (body.length != size) {
                    throw new IOException(source + ": truncated tar entry " + name);
                }
                in.skipNBytes((512 - size % 512) % 512);
                byte type = header[156];
                if (type == 'L') { // GNU long name: the next entry's name
                    longName = cString(body, 0, body.length);
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if (type == '0' || type == 0) {
                    files.put(name.replaceFirst("^(\\./|/)+", ""), body);
                }
            }
        } catch (IOException | NumberFormatException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source)) {
                throw e;
            }
            throw new IOException(source + ": not a valid bundle .tar.gz: " + e.getMessage(), e);
        }
        return files;
    }

    private static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
