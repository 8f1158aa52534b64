package dev.kubegate.masking;

import dev.kubegate.policy.PolicyDecision;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What to mask, compiled from the policy decision's {@code mask} section. Immutable, thread-safe.
 *
 * @param secrets     mask Secret {@code data}/{@code stringData} values wherever a Secret appears
 * @param keyPatterns ConfigMap keys and env var names whose values are masked ({@code find()} semantics)
 * @param logPatterns credentials masked in text streams; a group named {@code secret} narrows the mask
 */
public record MaskRules(boolean secrets, List<Pattern> keyPatterns, List<Pattern> logPatterns) {

    public MaskRules {
        keyPatterns = List.copyOf(keyPatterns);
        logPatterns = List.copyOf(logPatterns);
    }

    public static MaskRules from(PolicyDecision.Mask mask) {
        return new MaskRules(mask.secrets(), mask.keyRegexes(), mask.logRegexes());
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
