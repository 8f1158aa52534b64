package dev.kubegate.upstream.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A bearer token file, re-read every minute like client-go does: projected service-account tokens are
 * rotated by the kubelet, and operators replace token files without restarting kubegate.
 */
final class TokenFile implements Refreshing.Source<ClientAuth> {

    static final Duration REREAD = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String what;

    TokenFile(Path file, String what) {
        this.file = file;
        this.what = what;
    }

    @Override
    public Refreshing.Value<ClientAuth> fetch() {
        String token = Pem.readFile(file, what).trim();
        if (token.isEmpty()) {
            throw new UpstreamCredentialsException(what + ": file " + file + " is empty");
        }
        return new Refreshing.Value<>(ClientAuth.token(token), jwtExpiry(token), REREAD);
    }

    /**
     * The {@code exp} claim when the token is a JWT (service-account tokens are), so that {@code ready()}
     * turns false once a token we can no longer re-read has really expired; null for opaque tokens.
     */
    static Instant jwtExpiry(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode exp = claims.get("exp");
            return exp != null && exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        } catch (Exception e) {
            return null; // not a JWT after all: treat as opaque
        }
    }
}
