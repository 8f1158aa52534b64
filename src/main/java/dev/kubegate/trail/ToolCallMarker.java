package dev.kubegate.trail;

import io.vertx.core.MultiMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * Marks the Kubernetes API calls kubegate's MCP server makes into its own listener on behalf of an
 * agent, so their audit records name the MCP tool and session (and the agent's own address, not the
 * loopback one). The marker is trusted only with this process's random key, which never leaves the
 * process: every {@code Kubegate-Mcp-*} header is removed from every request before anything reads
 * it, so an agent can neither forge a marker nor have one forwarded to the API server.
 */
public final class ToolCallMarker {

    static final String PREFIX = "kubegate-mcp-";
    public static final String KEY = "Kubegate-Mcp-Key";
    public static final String TOOL = "Kubegate-Mcp-Tool";
    public static final String SESSION = "Kubegate-Mcp-Session";
    public static final String CLIENT = "Kubegate-Mcp-Client";

    /** What a genuine marker says. */
    public record Mark(String tool, String session, String client) {
    }

    private static final String PROCESS_KEY;

    static {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        PROCESS_KEY = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    private ToolCallMarker() {
    }

    /** Adds the marker of a call made for {@code tool} in MCP session {@code session} from {@code client}. */
    public static void mark(MultiMap headers, String tool, String session, String client) {
        headers.set(KEY, PROCESS_KEY);
        headers.set(TOOL, tool);
        headers.set(SESSION, session);
        if (client != null) {
            headers.set(CLIENT, client);
        }
    }

    /**
     * Removes every marker header from {@code headers} and returns the mark if it was genuine, else null.
     * Called on every request, marked or not.
     */
    public static Mark take(MultiMap headers) {
        String key = headers.get(KEY);
        String tool = headers.get(TOOL);
        String session = headers.get(SESSION);
        String client = headers.get(CLIENT);
        boolean any = key != null || tool != null || session != null || client != null;
        if (any || hasPrefixed(headers)) {
            headers.names().stream().filter(n -> n.toLowerCase(Locale.ROOT).startsWith(PREFIX)).toList()
                    .forEach(headers::remove);
        }
        if (key == null || tool == null || session == null
                || !MessageDigest.isEqual(key.getBytes(StandardCharsets.US_ASCII), PROCESS_KEY.getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return new Mark(tool, session, client);
    }

    private static boolean hasPrefixed(MultiMap headers) {
        for (String n : headers.names()) {
            if (n.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                return true;
            }
        }
        return false;
    }
}
