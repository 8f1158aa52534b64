package dev.kubegate.approval.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.util.Locale;

/**
 * What the issuer's discovery document ({@code <issuer>/.well-known/openid-configuration}) says
 * kubegate needs. Its {@code issuer} must be exactly the configured one (OpenID Connect Discovery
 * 1.0, section 4.3): a document for another issuer is refused.
 */
public record OidcProvider(String issuer, URI jwksUri, URI authorizationEndpoint, URI tokenEndpoint,
                           URI deviceAuthorizationEndpoint, URI endSessionEndpoint) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static URI discoveryUri(String issuer) {
        return URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration");
    }

    public static OidcProvider parse(String configuredIssuer, String document) {
        JsonNode n;
        try {
            n = JSON.readTree(document);
        } catch (Exception e) {
            throw new IllegalArgumentException("the discovery document is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the discovery document is not a JSON object");
        }
        String issuer = n.path("issuer").asText("");
        if (!configuredIssuer.equals(issuer)) {
            throw new IllegalArgumentException("the discovery document is for issuer \"" + issuer + "\", not \"" + configuredIssuer + "\"");
        }
        return new OidcProvider(issuer, required(n, "jwks_uri"), optional(n, "authorization_endpoint"), required(n, "token_endpoint"),
                optional(n, "device_authorization_endpoint"), optional(n, "end_session_endpoint"));
    }

    private static URI required(JsonNode n, String field) {
        URI u = optional(n, field);
        if (u == null) {
            throw new IllegalArgumentException("the discovery document has no " + field);
        }
        return u;
    }

    private static URI optional(JsonNode n, String field) {
        String v = n.path(field).asText("");
        if (v.isEmpty()) {
            return null;
        }
        URI u = URI.create(v);
        if (!secure(u)) {
            throw new IllegalArgumentException(field + " " + v + " is neither https nor on this machine");
        }
        return u;
    }

    /** https, or plain http to a loopback address (a local test issuer): tokens and keys never cross a network in clear. */
    public static boolean secure(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? "" : u.getHost();
        return scheme.equals("https") || (scheme.equals("http")
                && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")));
    }
}
