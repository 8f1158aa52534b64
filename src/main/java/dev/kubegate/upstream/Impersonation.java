package dev.kubegate.upstream;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Whom kubegate impersonates at the API server for one call: the values of {@code Impersonate-User},
 * {@code Impersonate-Group} and {@code Impersonate-Extra-*}. The gateway builds it from the
 * authenticated principal, so this package needs no identity types. Immutable.
 *
 * @param user   the impersonated user name
 * @param groups the impersonated groups, in order
 * @param extra  extra keys (e.g. {@code kubegate.dev/session}) and their values
 */
public record Impersonation(String user, List<String> groups, Map<String, List<String>> extra) {

    public Impersonation {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    /**
     * The header carrying an extra key: {@code Impersonate-Extra-} and the key percent-encoded, with
     * {@code %2f} in lower case as the API server writes it.
     */
    static String extraHeader(String key) {
        return "Impersonate-Extra-" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "%2f");
    }
}
