package dev.kubegate.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A kube-apiserver style token file: CSV rows {@code token,name,uid,"group1,group2"}; the group column
 * is optional and further columns are ignored, as the API server does. Blank lines and lines starting
 * with {@code #} are skipped.
 *
 * <p>Tokens are kept only as SHA-256 digests, so a lookup compares digests (no timing signal on the
 * secret itself) and a heap dump does not reveal them.
 */
public final class TokenFile {

    /** One row of the file. */
    public record Entry(String name, String uid, List<String> groups) {
    }

    private final Map<String, Entry> byDigest;

    private TokenFile(Map<String, Entry> byDigest) {
        this.byDigest = byDigest;
    }

    public static TokenFile load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static TokenFile parse(String content, String source) {
        Map<String, Entry> entries = new HashMap<>();
        String[] lines = content.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> cols = splitCsv(line, source, i + 1);
            if (cols.size() < 3 || cols.get(0).isEmpty() || cols.get(1).isEmpty()) {
                throw new IllegalArgumentException(source + ":" + (i + 1)
                        + ": expected token,name,uid[,\"group1,group2\"] with a non-empty token and name");
            }
            List<String> groups = cols.size() > 3 && !cols.get(3).isBlank()
                    ? Arrays.stream(cols.get(3).split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList()
                    : List.of();
            if (entries.put(digest(cols.get(0)), new Entry(cols.get(1), cols.get(2), groups)) != null) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": duplicate token");
            }
        }
        return new TokenFile(Map.copyOf(entries));
    }

    public Optional<Entry> lookup(String token) {
        return Optional.ofNullable(byDigest.get(digest(token)));
    }

    /** Every row, without its token (in no particular order). */
    public java.util.Collection<Entry> entries() {
        return byDigest.values();
    }

    public int size() {
        return byDigest.size();
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** RFC 4180 fields of one line: quoted fields may hold commas, {@code ""} is a literal quote. */
    private static List<String> splitCsv(String line, String source, int lineNo) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(source + ":" + lineNo + ": unterminated quoted field");
        }
        fields.add(field.toString());
        return fields;
    }
}
