package dev.kubegate.identity.session;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

/**
 * When an agent credential stops being valid, if it says so: a JWT's {@code exp} (service-account and
 * OIDC tokens), a {@code k8s-aws-v1.} token's {@code X-Amz-Date} + 15 minutes (STS's own limit).
 * Read only after an authenticator accepted the credential, to cap the session at the credential's life.
 */
final class CredentialExpiry {

    private static final String AWS_PREFIX = "k8s-aws-v1.";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private CredentialExpiry() {
    }

    static Optional<Instant> of(String credential) {
        try {
            if (credential.startsWith(AWS_PREFIX)) {
                String url = new String(Base64.getUrlDecoder().decode(credential.substring(AWS_PREFIX.length())), StandardCharsets.UTF_8);
                String query = URI.create(url).getRawQuery();
                if (query == null) return Optional.empty();
                for (String p : query.split("&")) {
                    if (p.startsWith("X-Amz-Date=")) {
                        return Optional.of(AMZ_DATE.parse(p.substring("X-Amz-Date=".length()), Instant::from).plus(15, ChronoUnit.MINUTES));
                    }
                }
                return Optional.empty();
            }
            String[] parts = credential.split("\\.");
            if (parts.length == 3 && credential.length() < 16384) {
                JsonNode claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
                JsonNode exp = claims.get("exp");
                if (exp != null && exp.canConvertToLong()) {
                    return Optional.of(Instant.ofEpochSecond(exp.asLong()));
                }
            }
        } catch (Exception e) {
            // not a form we know: no expiry of its own
        }
        return Optional.empty();
    }
}
