package dev.kubegate.mcp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** API paths built from tool arguments, each segment checked or encoded so an argument is never more than one segment. */
final class ApiPaths {

    /** A DNS-1123 subdomain, as the API server requires of names and namespaces (plus ':' for RBAC names). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.:@]{0,251}[A-Za-z0-9])?");
    private static final Pattern API_VERSION = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?v[0-9]+((alpha|beta)[0-9]+)?");

    private ApiPaths() {
    }

    static void checkApiVersion(String apiVersion) {
        if (apiVersion == null || apiVersion.isBlank()) {
            throw new ToolError("apiVersion is required (for example v1 or apps/v1)");
        }
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw new ToolError("apiVersion \"" + apiVersion + "\" is not a group/version such as v1 or apps/v1");
        }
    }

    static String groupVersion(String apiVersion) {
        return apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    }

    static String name(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new ToolError(what + " is required");
        }
        if (!NAME.matcher(value).matches()) {
            throw new ToolError(what + " \"" + value + "\" is not a valid Kubernetes name");
        }
        return value;
    }

    /** The collection or object path of {@code r}; {@code namespace} ignored for cluster-scoped kinds. */
    static String of(Discovery.Resource r, String namespace, String name) {
        StringBuilder p = new StringBuilder(groupVersion(r.apiVersion()));
        if (r.namespaced() && namespace != null && !namespace.isEmpty()) {
            p.append("/namespaces/").append(name("namespace", namespace));
        }
        p.append('/').append(r.name());
        if (name != null) {
            p.append('/').append(name("name", name));
        }
        return p.toString();
    }

    /** A query string from the non-null values, encoded; "" when there are none. */
    static String query(Map<String, Object> params) {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, Object> e : params.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            q.append(q.length() == 0 ? '?' : '&').append(e.getKey()).append('=')
                    .append(URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return q.toString();
    }

    static Map<String, Object> params() {
        return new LinkedHashMap<>();
    }
}
