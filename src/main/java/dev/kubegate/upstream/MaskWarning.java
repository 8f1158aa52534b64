package dev.kubegate.upstream;

import io.vertx.core.MultiMap;

/**
 * The {@code Warning} header (RFC 9111 §5.5, code 299, agent "-") kubegate adds to an answer it masked,
 * in the form the API server uses for its own warnings, so kubectl and client-go print it on stderr
 * like any API server warning ({@code Warning: 3 Secret values masked by kubegate}).
 *
 * <p>Headers leave before the body, and the count is known only once the body has been masked. So a
 * finite JSON answer up to {@link #HOLD_BYTES} is held until it is complete and carries the exact count
 * (none when nothing was masked); a stream (watch, logs) or a larger answer carries {@link #ACTIVE},
 * which says masking applies to it, not how many values it touched. The exact count of every answer
 * is in the audit record and in {@code kubegate_masked_values_total}.
 */
public final class MaskWarning {

    public static final String HEADER = "Warning";

    /** Largest masked JSON answer held back so its warning can carry the exact count. */
    public static final int HOLD_BYTES = 1024 * 1024;

    /** The warning of an answer whose count is not known when its head leaves. */
    public static final String ACTIVE = warning("Secret values in this response are masked by kubegate");

    private MaskWarning() {
    }

    /** {@code 299 - "<n> Secret values masked by kubegate"}. */
    public static String counted(long masked) {
        return warning(masked + " Secret value" + (masked == 1 ? "" : "s") + " masked by kubegate");
    }

    /** Adds the warning for {@code masked} values to {@code headers}; nothing when none was masked. */
    static void addCounted(MultiMap headers, long masked) {
        if (masked > 0) {
            headers.add(HEADER, counted(masked));
        }
    }

    private static String warning(String text) {
        // The API server's format: code 299, agent "-", the text quoted (it holds no quote or backslash).
        return "299 - \"" + text + "\"";
    }
}
