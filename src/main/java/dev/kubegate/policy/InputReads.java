package dev.kubegate.policy;

import com.fasterxml.jackson.core.filter.TokenFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The parts of the input document a policy reads, derived from the bundle's Rego sources: every
 * {@code input.a.b} reference, cut at its first dynamic step ({@code input.request[k]} reads all of
 * {@code input.request}). A decision depends on nothing else, so those parts are the
 * {@link DecisionCache} key: {@code input.now} or the request counter only count where the pack
 * reads them.
 *
 * <p>{@code opa build -t wasm} leaves the entrypoint rule ({@code kubegate.decision}) out of the
 * sources it packs, so what that rule's own body reads is not visible there. When the sources do
 * not show the entrypoint rule, the bundle must declare what the policy reads, as dotted paths in
 * its data: {@code data.kubegate.decisionCacheInputs} (the default pack does; a unit test checks
 * the declaration against its full sources). A declaration is used only when it covers every
 * reference the packed sources show.
 *
 * <p>Conservative by construction: the whole input read at once ({@code input}, {@code input[x]},
 * {@code import input}), a builtin whose answer changes from call to call (time, randomness,
 * network), a bundle without Rego sources (a bare {@code .wasm}), or a hidden entrypoint without a
 * covering declaration make the policy {@linkplain #cacheable() uncacheable}: every call is
 * evaluated. Comments and string literals are skipped, so {@code "input.md"} reads nothing.
 */
public final class InputReads {

    /** Builtins whose result is not a function of input and data alone. */
    private static final List<String> VOLATILE_BUILTINS = List.of("time.now_ns", "rand.", "uuid.rfc4122", "http.send",
            "net.lookup", "opa.runtime", "io.jwt.decode_verify", "crypto.x509.parse_and_verify");

    /** The package and rule of {@link PolicyBundle#ENTRYPOINT}, as they start a line of Rego. */
    private static final java.util.regex.Pattern ENTRYPOINT_PACKAGE = java.util.regex.Pattern.compile("(?m)^\\s*package\\s+kubegate\\s*$");
    private static final java.util.regex.Pattern ENTRYPOINT_RULE = java.util.regex.Pattern.compile("(?m)^\\s*decision\\b(?!\\s*\\.)");

    private final Optional<String> uncacheable;
    private final List<List<String>> paths;
    private final TokenFilter filter;
    /** Whether the sources define the entrypoint rule, so that everything the policy reads was seen. */
    private final boolean entrypointVisible;

    private InputReads(Optional<String> uncacheable, List<List<String>> paths) {
        this(uncacheable, paths, false);
    }

    private InputReads(Optional<String> uncacheable, List<List<String>> paths, boolean entrypointVisible) {
        this.uncacheable = uncacheable;
        this.paths = paths;
        this.filter = new PathFilter(paths, 0);
        this.entrypointVisible = entrypointVisible;
    }

    /**
     * What the policy of these Rego sources (file name to text) reads; {@code declared} is the
     * bundle's {@code data.kubegate.decisionCacheInputs} (missing or null when it declares none).
     */
    public static InputReads derive(Map<String, String> rego, com.fasterxml.jackson.databind.JsonNode declared) {
        InputReads derived = derive(rego);
        if (!derived.cacheable() || derived.entrypointVisible) {
            return derived;
        }
        if (declared == null || !declared.isArray() || declared.isEmpty()) {
            return new InputReads(Optional.of("the bundle's sources do not show the entrypoint rule (opa build -t wasm leaves it out)"
                    + " and its data declares no kubegate.decisionCacheInputs"), List.of());
        }
        List<List<String>> paths = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode p : declared) {
            List<String> path = p.isTextual() ? List.of(p.asText().split("\\.", -1)) : List.of();
            if (path.isEmpty() || path.stream().anyMatch(step -> step.isEmpty())) {
                return new InputReads(Optional.of("kubegate.decisionCacheInputs holds " + p + ", not a dotted input path"), List.of());
            }
            paths.add(path);
        }
        for (List<String> read : derived.paths) {
            if (paths.stream().noneMatch(p -> isPrefix(p, read))) {
                return new InputReads(Optional.of("kubegate.decisionCacheInputs does not cover input." + String.join(".", read)
                        + ", which the policy reads"), List.of());
            }
        }
        return new InputReads(Optional.empty(), minimal(paths), true);
    }

    /** Derives what the policy of these Rego sources (file name to text) reads, from the sources alone. */
    public static InputReads derive(Map<String, String> rego) {
        if (rego.isEmpty()) {
            return new InputReads(Optional.of("the bundle holds no Rego sources to derive the inputs it reads from"), List.of());
        }
        List<List<String>> found = new ArrayList<>();
        boolean entrypointVisible = false;
        for (Map.Entry<String, String> file : new TreeMap<>(rego).entrySet()) {
            String code = codeOnly(file.getValue());
            entrypointVisible |= ENTRYPOINT_PACKAGE.matcher(code).find() && ENTRYPOINT_RULE.matcher(code).find();
            for (String builtin : VOLATILE_BUILTINS) {
                if (code.contains(builtin)) {
                    return new InputReads(Optional.of(file.getKey() + " calls " + builtin + ", whose answer changes between calls"), List.of());
                }
            }
            for (int at = code.indexOf("input"); at >= 0; at = code.indexOf("input", at + 1)) {
                if (at > 0 && (identifierChar(code.charAt(at - 1)) || code.charAt(at - 1) == '.')
                        || at + 5 < code.length() && identifierChar(code.charAt(at + 5))) {
                    continue; // part of another name, or a field called input (data.x.input)
                }
                List<String> path = pathAfter(code, at + 5);
                if (path.isEmpty()) {
                    return new InputReads(Optional.of(file.getKey() + " reads the input document as a whole"), List.of());
                }
                found.add(path);
            }
        }
        return new InputReads(Optional.empty(), minimal(found), entrypointVisible);
    }

    /** The paths without those another one covers, sorted. */
    private static List<List<String>> minimal(List<List<String>> paths) {
        TreeSet<List<String>> sorted = new TreeSet<>(InputReads::compare);
        sorted.addAll(paths);
        List<List<String>> minimal = new ArrayList<>();
        for (List<String> p : sorted) { // sorted: a prefix comes before what it covers
            if (minimal.isEmpty() || !isPrefix(minimal.get(minimal.size() - 1), p)) {
                minimal.add(List.copyOf(p));
            }
        }
        return List.copyOf(minimal);
    }

    /** Whether decisions may be reused; see {@link #whyNot()}. */
    public boolean cacheable() {
        return uncacheable.isEmpty();
    }

    /** Why decisions may not be reused, when they may not. */
    public Optional<String> whyNot() {
        return uncacheable;
    }

    /** The input paths read, none a prefix of another, e.g. {@code [principal, name]}, {@code [request]}. */
    public List<List<String>> paths() {
        return paths;
    }

    /** Whether the policy reads anything under {@code input.<field>}. */
    public boolean reads(String field) {
        return paths.stream().anyMatch(p -> p.get(0).equals(field));
    }

    /** A Jackson filter that keeps exactly the read paths of a document (and their whole values). */
    TokenFilter filter() {
        return filter;
    }

    /** The static steps {@code .name.name...} from {@code at}; stops at anything else. */
    private static List<String> pathAfter(String code, int at) {
        List<String> path = new ArrayList<>();
        while (at < code.length() && code.charAt(at) == '.') {
            int start = ++at;
            while (at < code.length() && identifierChar(code.charAt(at))) {
                at++;
            }
            if (at == start || Character.isDigit(code.charAt(start))) {
                break;
            }
            path.add(code.substring(start, at));
        }
        return path;
    }

    /** The source with comments removed and every string literal emptied ({@code ""}). */
    static String codeOnly(String rego) {
        StringBuilder out = new StringBuilder(rego.length());
        for (int i = 0; i < rego.length(); i++) {
            char c = rego.charAt(i);
            if (c == '#') {
                while (i < rego.length() && rego.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (c == '"' || c == '`') {
                i++;
                while (i < rego.length() && rego.charAt(i) != c) {
                    i += c == '"' && rego.charAt(i) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean identifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static boolean isPrefix(List<String> prefix, List<String> p) {
        return p.size() >= prefix.size() && p.subList(0, prefix.size()).equals(prefix);
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Keeps the properties on the read paths; below the end of a path, everything. Built once. */
    private static final class PathFilter extends TokenFilter {
        private final Map<String, TokenFilter> children = new java.util.HashMap<>();

        PathFilter(List<List<String>> paths, int depth) {
            Map<String, List<List<String>>> byName = new TreeMap<>();
            for (List<String> p : paths) {
                byName.computeIfAbsent(p.get(depth), k -> new ArrayList<>()).add(p);
            }
            byName.forEach((name, below) -> children.put(name,
                    below.stream().anyMatch(p -> p.size() == depth + 1) ? TokenFilter.INCLUDE_ALL : new PathFilter(below, depth + 1)));
        }

        @Override
        public TokenFilter includeProperty(String name) {
            return children.get(name);
        }

        @Override
        protected boolean _includeScalar() {
            return false; // a scalar where the path goes on: policies cannot step into it
        }
    }
}
