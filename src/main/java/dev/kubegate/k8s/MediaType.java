package dev.kubegate.k8s;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A request's {@code Content-Type} read exactly as the API server reads it, which depends on the method:
 * <ul>
 *   <li><b>POST, PUT, DELETE</b> ({@code NegotiateInputSerializerForMediaType}): no header (or an empty
 *       one) means {@code application/json}; otherwise Go's {@code mime.ParseMediaType}: the type
 *       before the first {@code ;}, trimmed and lowercased, must be {@code token/token}; parameters are
 *       ignored ({@code charset} is never honoured) but must parse, else the API server answers 415.</li>
 *   <li><b>PATCH</b> ({@code PatchResource}): cut at the first {@code ;} (when not at index 0), no
 *       trimming, compared case-sensitively; no header is a 415.</li>
 * </ul>
 * Only the first {@code Content-Type} line counts ({@code Header.Get}). Pure.
 */
public final class MediaType {

    public static final String JSON = "application/json";
    public static final String YAML = "application/yaml";
    public static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    /** Body types the API server decodes on POST, PUT and DELETE (CBOR is off by default). */
    public static final Set<String> OBJECT_TYPES = Set.of(JSON, YAML, PROTOBUF);
    /** Patch types (SMP only for built-in kinds: the API server itself answers 415 for the others). */
    public static final Set<String> PATCH_TYPES = Set.of(JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH);

    private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

    private MediaType() {
    }

    /**
     * The media type the API server decodes a body with, or empty when it answers 415 (unreadable
     * header or a type it does not decode for that method).
     *
     * @param method      the HTTP method (upper case)
     * @param contentType the first {@code Content-Type} header line, or null
     */
    public static Optional<String> of(String method, String contentType) {
        if ("PATCH".equals(method)) {
            String t = forPatch(contentType);
            return PATCH_TYPES.contains(t) ? Optional.of(t) : Optional.empty();
        }
        return forObject(contentType).filter(OBJECT_TYPES::contains);
    }

    /** PATCH: cut at the first {@code ;} unless it is the first character; nothing trimmed or folded. */
    static String forPatch(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return semi > 0 ? contentType.substring(0, semi) : contentType;
    }

    /**
     * POST, PUT, DELETE: {@code mime.ParseMediaType}'s type (Go 1.19, the compiler of the API
     * servers kubegate is tested against; later versions accept a repeated parameter with an equal
     * value, which is refused here: refusing more is the safe side), or empty when it reports an error.
     */
    static Optional<String> forObject(String contentType) {
        if (contentType == null || contentType.isEmpty()) {
            return Optional.of(JSON);
        }
        int semi = contentType.indexOf(';');
        String type = goTrimSpace((semi < 0 ? contentType : contentType.substring(0, semi)).toLowerCase(Locale.ROOT));
        if (!validTypeAndSubtype(type)) {
            return Optional.empty();
        }
        return semi < 0 || parametersParse(contentType.substring(semi)) ? Optional.of(type) : Optional.empty();
    }

    /** Go's {@code checkMediaTypeDisposition}: {@code token} or {@code token/token}. */
    private static boolean validTypeAndSubtype(String s) {
        int t = tokenEnd(s, 0);
        if (t == 0) {
            return false;
        }
        if (t == s.length()) {
            return true;
        }
        if (s.charAt(t) != '/') {
            return false;
        }
        int sub = tokenEnd(s, t + 1);
        return sub > t + 1 && sub == s.length();
    }

    /** Go's parameter loop of {@code ParseMediaType}: true when it reports no error. */
    private static boolean parametersParse(String v) {
        Set<String> seen = new HashSet<>();
        int i = 0;
        while (true) {
            i = skipSpace(v, i);
            if (i >= v.length()) {
                return true;
            }
            // consumeMediaParam
            if (v.charAt(i) != ';') {
                return false;
            }
            int start = i;
            int p = skipSpace(v, i + 1);
            int keyEnd = tokenEnd(v, p);
            if (keyEnd == p) {
                return goTrimSpace(v.substring(start)).equals(";"); // a trailing ';' is no error
            }
            String key = v.substring(p, keyEnd).toLowerCase(Locale.ROOT);
            int eq = skipSpace(v, keyEnd);
            if (eq >= v.length() || v.charAt(eq) != '=') {
                return goTrimSpace(v.substring(start)).equals(";");
            }
            int val = skipSpace(v, eq + 1);
            int valEnd = valueEnd(v, val);
            if (valEnd < 0) {
                return false;
            }
            if (!seen.add(key)) {
                return false; // duplicate parameter name
            }
            i = valEnd;
        }
    }

    /** End of Go's {@code consumeValue} (token or quoted string), or -1 when it consumes nothing. */
    private static int valueEnd(String v, int i) {
        if (i >= v.length()) {
            return -1;
        }
        if (v.charAt(i) != '"') {
            int end = tokenEnd(v, i);
            return end == i ? -1 : end;
        }
        for (int j = i + 1; j < v.length(); j++) {
            char c = v.charAt(j);
            if (c == '"') {
                return j + 1;
            }
            if (c == '\\' && j + 1 < v.length() && TSPECIALS.indexOf(v.charAt(j + 1)) >= 0) {
                j++;
            } else if (c == '\r' || c == '\n') {
                return -1;
            }
        }
        return -1;
    }

    private static int tokenEnd(String s, int i) {
        while (i < s.length() && isTokenChar(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7f && TSPECIALS.indexOf(c) < 0;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && isGoSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String goTrimSpace(String s) {
        int from = skipSpace(s, 0);
        int to = s.length();
        while (to > from && isGoSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Go's {@code unicode.IsSpace}. */
    private static boolean isGoSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u0085' || c == '\u00a0'
                || Character.getType(c) == Character.SPACE_SEPARATOR || c == '\u2028' || c == '\u2029';
    }

    /**
     * The media type as the API server reads it, for binding an approval to one call: the decoded
     * type; {@code "unsupported:"} and the raw header when the API server would refuse it (that
     * call then does nothing, but its digest still differs from any accepted one); empty for a call
     * without a body, where the header changes nothing.
     */
    public static String digestForm(String method, String contentType, boolean hasBody) {
        if (!hasBody) {
            return "";
        }
        return of(method, contentType).orElse("unsupported:" + contentType);
    }
}
