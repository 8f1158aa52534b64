package dev.kubegate.mcp;

import dev.kubegate.identity.Principal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * MCP session ids that need no server state, so any replica answers any request (no sticky
 * sessions): {@code <random>.<binding>}, where the binding is a hash of the random part and the
 * principal the session was opened by. Every request is authenticated anew with the agent's own
 * credential; the binding only makes a session id useless to anyone else (404, as for an unknown
 * session). The id names the MCP session in audit records; kubegate's own session (revocation,
 * budgets) is the one of the bearer credential.
 */
final class McpSessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("mcp-[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}");

    private McpSessions() {
    }

    static String open(Principal principal) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String n = "mcp-" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        return n + "." + binding(n, principal);
    }

    /** Whether {@code id} is a session opened by {@code principal}. */
    static boolean belongsTo(String id, Principal principal) {
        if (id == null || !SHAPE.matcher(id).matches()) {
            return false;
        }
        int dot = id.indexOf('.');
        return MessageDigest.isEqual(id.substring(dot + 1).getBytes(StandardCharsets.US_ASCII),
                binding(id.substring(0, dot), principal).getBytes(StandardCharsets.US_ASCII));
    }

    private static String binding(String nonce, Principal principal) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(nonce.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            sha.update(principal.kind().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(principal.id().getBytes(StandardCharsets.UTF_8));
            byte[] d = sha.digest();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
