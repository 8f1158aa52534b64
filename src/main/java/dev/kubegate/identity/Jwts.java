package dev.kubegate.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/**
 * Recognising JWTs before verifying them, so authenticators can tell "not my kind" (the chain goes on)
 * from "mine but invalid" (401). Reads the unverified payload: nothing here may be trusted beyond routing.
 */
public final class Jwts {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer tokens are no JWT kubegate accepts (ID tokens run to a few KiB). */
    public static final int MAX_LENGTH = 16 * 1024;

    private Jwts() {
    }

    /** Whether {@code token} looks like a compact JWS: three base64url parts. */
    public static boolean isJwtShaped(String token) {
        if (token.length() > MAX_LENGTH || !token.startsWith("eyJ")) {
            return false;
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** The unverified claims of a JWT-shaped token; empty when the payload is not a JSON object. */
    public static Optional<JsonNode> unverifiedClaims(String token) {
        if (!isJwtShaped(token)) {
            return Optional.empty();
        }
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        try {
            JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(token.substring(first + 1, second)));
            return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
