package dev.kubegate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Label selectors (equality, inequality, existence, {@code in}/{@code notin}) and field selectors
 * ({@code =}, {@code ==}, {@code !=} on any dotted path; the apiserver allows only a few fields per
 * type, the double is more lenient).
 */
final class Selectors {
    private static final Pattern SET = Pattern.compile("\\s*([^\\s!=]+)\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*");
    private static final Pattern OP = Pattern.compile("\\s*([^\\s!=<>]+)\\s*(==|=|!=)\\s*([^\\s]*)\\s*");

    private Selectors() {
    }

    static Predicate<ObjectNode> labels(String selector) {
        Predicate<ObjectNode> all = o -> true;
        for (String req : split(selector)) {
            all = all.and(labelRequirement(req));
        }
        return all;
    }

    private static Predicate<ObjectNode> labelRequirement(String req) {
        Matcher m = SET.matcher(req);
        if (m.matches()) {
            String key = m.group(1);
            Set<String> values = Set.copyOf(List.of(m.group(3).trim().split("\\s*,\\s*")));
            boolean in = m.group(2).equals("in");
            return o -> {
                String v = label(o, key);
                return in ? v != null && values.contains(v) : v == null || !values.contains(v);
            };
        }
        m = OP.matcher(req);
        if (m.matches()) {
            String key = m.group(1);
            String value = m.group(3);
            return m.group(2).equals("!=") ? o -> !value.equals(label(o, key)) : o -> value.equals(label(o, key));
        }
        String r = req.trim();
        if (r.startsWith("!") && r.length() > 1) {
            String key = r.substring(1).trim();
            return o -> label(o, key) == null;
        }
        if (r.matches("[A-Za-z0-9./_-]+")) {
            return o -> label(o, r) != null;
        }
        throw ApiError.badRequest("unable to parse requirement: " + req);
    }

    static Predicate<ObjectNode> fields(String selector) {
        Predicate<ObjectNode> all = o -> true;
        for (String req : split(selector)) {
            Matcher m = OP.matcher(req);
            if (!m.matches()) {
                throw ApiError.badRequest("invalid field selector: " + req);
            }
            String path = m.group(1);
            String value = m.group(3);
            Predicate<ObjectNode> p = o -> value.equals(Json.text(o, path) == null ? "" : Json.text(o, path));
            all = all.and(m.group(2).equals("!=") ? p.negate() : p);
        }
        return all;
    }

    private static String label(ObjectNode o, String key) {
        JsonNode labels = o.path("metadata").path("labels");
        JsonNode v = labels.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Splits on commas outside parentheses. */
    private static List<String> split(String selector) {
        List<String> out = new ArrayList<>();
        if (selector == null || selector.isBlank()) {
            return out;
        }
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        out.add(selector.substring(start));
        out.removeIf(String::isBlank);
        return out;
    }
}
