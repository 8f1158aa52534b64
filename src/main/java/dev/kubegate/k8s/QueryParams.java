package dev.kubegate.k8s;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A raw query string parsed exactly as Go's {@code url.ParseQuery} (Go 1.17 and later) parses it,
 * which is what the API server sees: pairs split on {@code &}, empty pairs skipped, key and value
 * split on the first {@code =}, {@code +} read as a space, {@code %XX} decoded, repeated names kept
 * in order. An ordered multimap: names keep the order of their first appearance.
 *
 * <p>Where Go reports an error, this refuses the whole query. The API server calls
 * {@code URL.Query()}, which ignores those errors and silently drops the offending pairs, so a
 * lenient parser here could let policy see a parameter the API server never sees, or miss one it
 * acts on. Refused: a raw {@code ;} anywhere (Go 1.17 stopped treating it as a separator), a
 * {@code %} not followed by two hex digits, and, beyond Go, bytes that are not UTF-8 once decoded,
 * raw non-ASCII, control or space characters, and {@code #} (which HTTP stacks disagree on).
 *
 * <p>Immutable and thread-safe.
 */
public final class QueryParams {

    private static final QueryParams EMPTY = new QueryParams(Map.of());

    private final Map<String, List<String>> values;

    private QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    public static QueryParams empty() {
        return EMPTY;
    }

    /**
     * Parses a raw query string (without the {@code ?}); {@code null} or empty gives no parameters.
     *
     * @throws InvalidRequestException where Go's parser would report an error, or the query holds
     *     characters that must be percent-encoded
     */
    public static QueryParams parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return EMPTY;
        }
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '#') {
                throw new InvalidRequestException("query contains a character that must be percent-encoded: "
                        + GoCompat.describeChar(c));
            }
        }
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.indexOf(';') >= 0) {
                throw new InvalidRequestException("query contains ';': it is no separator (Go 1.17+), "
                        + "the API server would drop that parameter; percent-encode it as %3B");
            }
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = GoCompat.unescape(eq < 0 ? pair : pair.substring(0, eq), true, "query");
            String value = eq < 0 ? "" : GoCompat.unescape(pair.substring(eq + 1), true, "query");
            parsed.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        if (parsed.isEmpty()) {
            return EMPTY;
        }
        parsed.replaceAll((k, v) -> List.copyOf(v));
        return new QueryParams(Collections.unmodifiableMap(parsed));
    }

    /** The first value of {@code name}, as Go's {@code Values.Get} and the API server's decoders read it. */
    public Optional<String> first(String name) {
        List<String> all = values.get(name);
        return all == null ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Every value of {@code name} in order; empty when absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Parameter names in order of first appearance. */
    public Set<String> names() {
        return values.keySet();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Unmodifiable view: names in order of first appearance, each with its values in order. */
    public Map<String, List<String>> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryParams other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
