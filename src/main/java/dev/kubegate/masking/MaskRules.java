package dev.kubegate.masking;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to mask, compiled from the policy decision's {@code mask} section (the policy package builds
 * these: masking stays free of policy types). Immutable, thread-safe.
 *
 * @param secrets     mask Secret {@code data}/{@code stringData} values wherever a Secret appears
 * @param keyPatterns ConfigMap keys and env var names whose values are masked ({@code find()} semantics)
 * @param logPatterns credentials masked in text streams (RE2 syntax, run as DFAs: linear time); a group named
 *                    {@code secret} narrows the mask
 * @param credentials mask the credentials the API server mints or echoes (TokenRequest, TokenReview,
 *                    CertificateSigningRequest answers), see {@link ResourceHint}
 * @param knownValues values masked wherever they appear in a text stream, raw or base64 (the
 *                    Secrets a pod can read, for its logs and exec output); {@link KnownValues#NONE}
 *                    elsewhere
 */
public record MaskRules(boolean secrets, List<Pattern> keyPatterns, List<com.google.re2j.Pattern> logPatterns,
                        boolean credentials, KnownValues knownValues) {

    public MaskRules {
        keyPatterns = List.copyOf(keyPatterns);
        logPatterns = List.copyOf(logPatterns);
        Objects.requireNonNull(knownValues, "knownValues");
    }

    /** No known values; credentials masked or not. */
    public MaskRules(boolean secrets, List<Pattern> keyPatterns, List<com.google.re2j.Pattern> logPatterns, boolean credentials) {
        this(secrets, keyPatterns, logPatterns, credentials, KnownValues.NONE);
    }

    /** No known values; credentials masked. */
    public MaskRules(boolean secrets, List<Pattern> keyPatterns, List<com.google.re2j.Pattern> logPatterns) {
        this(secrets, keyPatterns, logPatterns, true);
    }

    /** The same rules, also masking these values in text streams. */
    public MaskRules withKnownValues(KnownValues values) {
        return new MaskRules(secrets, keyPatterns, logPatterns, credentials, values);
    }

    /** Whether a ConfigMap key or env var name names a credential. */
    public boolean keyMatches(String key) {
        for (Pattern p : keyPatterns) {
            if (p.matcher(key).find()) {
                return true;
            }
        }
        return false;
    }
}
