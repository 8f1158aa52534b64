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
    public static final String CALL = "Kubegate-Mcp-Call";
    public static final String JUSTIFICATION = "Kubegate-Mcp-Justification";
    public static final String ASK = "Kubegate-Mcp-Ask-Justification";

    /** Longest justification carried (characters); the elicitation form says so too. */
    public static final int MAX_JUSTIFICATION = 1000;

    /**
     * What a genuine marker says.
     *
     * @param call          the id of the tool call (its own audit record), or null
     * @param justification why the agent makes the call, as its user answered the MCP elicitation; or null
     * @param askFirst      the MCP client can be asked for a justification: a call that would raise a
     *                      new approval request is refused instead ({@code 428}), so the server asks and retries
     */
    public record Mark(String tool, String session, String client, String call, String justification, boolean askFirst) {
        public Mark(String tool, String session, String client) {
            this(tool, session, client, null, null, false);
        }
    }

    private static final String PROCESS_KEY;

    static {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        PROCESS_KEY = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    private ToolCallMarker() {
    }

    /** Adds the marker of a call made for {@code mark.tool()} in MCP session {@code mark.session()}. */
    public static void mark(MultiMap headers, Mark mark) {
        headers.set(KEY, PROCESS_KEY);
        headers.set(TOOL, mark.tool());
        headers.set(SESSION, mark.session());
        if (mark.client() != null) headers.set(CLIENT, mark.client());
        if (mark.call() != null) headers.set(CALL, mark.call());
        if (mark.justification() != null) {
            // Any text the user typed: base64url keeps it a valid header value.
            headers.set(JUSTIFICATION, Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(bounded(mark.justification()).getBytes(StandardCharsets.UTF_8)));
        }
        if (mark.askFirst()) headers.set(ASK, "1");
    }

    /** A justification cut to {@link #MAX_JUSTIFICATION} characters, control characters made spaces. */
    public static String bounded(String justification) {
        String s = justification.strip().replaceAll("\\p{Cntrl}", " ");
        return s.length() <= MAX_JUSTIFICATION ? s : s.substring(0, MAX_JUSTIFICATION) + "…";
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
        String call = headers.get(CALL);
        String justification = headers.get(JUSTIFICATION);
        boolean ask = "1".equals(headers.get(ASK));
        boolean any = key != null || tool != null || session != null || client != null;
        if (any || hasPrefixed(headers)) {
            headers.names().stream().filter(n -> n.toLowerCase(Locale.ROOT).startsWith(PREFIX)).toList()
                    .forEach(headers::remove);
        }
        if (key == null || tool == null || session == null
                || !MessageDigest.isEqual(key.getBytes(StandardCharsets.US_ASCII), PROCESS_KEY.getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return new Mark(tool, session, client, call, decode(justification), ask);
    }

    private static String decode(String b64) {
        if (b64 == null) {
            return null;
        }
        try {
            return bounded(new String(Base64.getUrlDecoder().decode(b64), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null; // only this process writes it; never expected
        }
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
