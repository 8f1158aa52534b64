package dev.kubegate.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The compiled mask patterns of the policy decisions, by source text. A decision is parsed on every
 * call, but the pack repeats the same few patterns: each is compiled once — when the bundle is
 * loaded, by its probe decision — and every later call finds it here, so nothing is compiled on the
 * hot path.
 *
 * <p>Log patterns run on untrusted text (logs, exec output); they are checked with RE2/J here (the
 * masker runs them as DFAs, {@link dev.kubegate.masking.TextPatterns}), so matching
 * is linear in the text, whatever the pattern (no backtracking). A pattern RE2/J cannot compile —
 * lookaround, backreferences, possessive quantifiers — is an {@link IllegalArgumentException}
 * naming it, so the decision (and at load, the bundle) is refused. Key patterns only ever see
 * object keys and env var names (short, bounded by the API server), so they stay
 * {@code java.util.regex}.
 *
 * <p>Bounded: patterns come from policies, not from requests; past {@link #MAX_CACHED} distinct
 * sources new ones are compiled each time (correct, only slower).
 */
public final class MaskPatterns {

    static final int MAX_CACHED = 1024;

    private static final Map<String, java.util.regex.Pattern> KEYS = new ConcurrentHashMap<>();
    private static final Map<String, com.google.re2j.Pattern> LOGS = new ConcurrentHashMap<>();

    private MaskPatterns() {
    }

    /** A key pattern, compiled ({@code java.util.regex}). */
    public static java.util.regex.Pattern key(String regex) {
        return cached(KEYS, regex, java.util.regex.Pattern::compile);
    }

    /**
     * A log pattern, compiled with RE2/J. A group written {@code (?<secret>...)} or
     * {@code (?P<secret>...)} narrows the mask to that group.
     *
     * @throws IllegalArgumentException naming the pattern when RE2/J cannot compile it
     */
    public static com.google.re2j.Pattern log(String regex) {
        return cached(LOGS, regex, r -> {
            try {
                return com.google.re2j.Pattern.compile(r);
            } catch (com.google.re2j.PatternSyntaxException e) {
                throw new IllegalArgumentException("log pattern " + quote(r) + " cannot be used: " + e.getDescription()
                        + " (log patterns run on RE2, which has no lookaround, backreferences or possessive quantifiers)");
            }
        });
    }

    private static <P> P cached(Map<String, P> cache, String regex, Function<String, P> compile) {
        P p = cache.get(regex);
        if (p == null) {
            p = compile.apply(regex);
            if (cache.size() < MAX_CACHED) {
                cache.putIfAbsent(regex, p);
            }
        }
        return p;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
