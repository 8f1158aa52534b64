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
 * session). What the client declared at {@code initialize} that later requests need — whether it
 * answers elicitation — rides in the id ({@code mcp-<random>.e.<binding>}), under the binding, so every
 * replica knows it; a client can only claim it for its own sessions, where a false claim hurts only itself. The id names the MCP session in audit records; kubegate's own session (revocation,
 * budgets) is the one of the bearer credential.
 */
final class McpSessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("mcp-[A-Za-z0-9_-]{22}(\\.e)?\\.[A-Za-z0-9_-]{22}");
    private static final String ELICITS = ".e";

    private McpSessions() {
    }

    static String open(Principal principal) {
        return open(principal, false);
    }

    /** A new session id for {@code principal}; {@code elicits}: the client declared the elicitation capability. */
    static String open(Principal principal, boolean elicits) {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String n = "mcp-" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + (elicits ? ELICITS : "");
        return n + "." + binding(n, principal);
    }

    /** Whether the client of session {@code id} (already checked by {@link #belongsTo}) answers elicitation requests. */
    static boolean elicits(String id) {
        return id != null && id.lastIndexOf('.') > 0 && id.substring(0, id.lastIndexOf('.')).endsWith(ELICITS);
    }

    /** Whether {@code id} is a session opened by {@code principal}. */
    static boolean belongsTo(String id, Principal principal) {
        if (id == null || !SHAPE.matcher(id).matches()) {
            return false;
        }
        int dot = id.lastIndexOf('.');
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
