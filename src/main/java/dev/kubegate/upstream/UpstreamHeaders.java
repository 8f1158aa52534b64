package dev.kubegate.upstream;

import io.vertx.core.MultiMap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which request headers cross the gateway towards the API server, and which response headers come back.
 *
 * <p>Nothing the client says about identity is forwarded: its {@code Authorization}, any
 * {@code Impersonate-*} and the front-proxy {@code X-Remote-*} headers (which an API server
 * configured with a request-header authority would otherwise trust) are dropped; the gateway's own
 * credential and its impersonation of the authenticated principal replace them.
 */
public final class UpstreamHeaders {

    /** Hop-by-hop headers (RFC 9110 §7.6.1) plus those HTTP/2 forbids; never copied either way. */
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "http2-settings");

    /** Headers kept for connection upgrades (exec, attach, port-forward), where they are the protocol. */
    private static final Set<String> UPGRADE = Set.of("connection", "upgrade");

    /** Extra key carrying the kubegate session id. */
    public static final String SESSION_EXTRA_KEY = "kubegate.dev/session";

    /** Its header; "/" escaped as the API server expects in header names. */
    public static final String SESSION_EXTRA = Impersonation.extraHeader(SESSION_EXTRA_KEY);

    private UpstreamHeaders() {
    }

    /**
     * The headers to send upstream for a client request.
     *
     * @param impersonation whom to impersonate (built by the gateway from the authenticated principal)
     * @param impersonate whether to send {@code Impersonate-*} at all
     * @param clientAddress the client's address, passed on as X-Forwarded-For for the API server's audit log
     */
    public static MultiMap forRequest(MultiMap clientHeaders, Impersonation impersonation, boolean impersonate,
                                      boolean upgrade, String clientAddress) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> h : clientHeaders) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (dropFromRequest(name) && !(upgrade && UPGRADE.contains(name))) {
                continue;
            }
            out.add(h.getKey(), h.getValue());
        }
        if (impersonate) {
            out.add("Impersonate-User", impersonation.user());
            impersonation.groups().forEach(g -> out.add("Impersonate-Group", g));
            impersonation.extra().forEach((key, values) -> values.forEach(v -> out.add(extraHeader(key), v)));
        }
        if (clientAddress != null) {
            out.set("X-Forwarded-For", clientAddress);
        }
        return out;
    }

    /** The session's header is computed once: it goes out on nearly every call. */
    private static String extraHeader(String key) {
        return SESSION_EXTRA_KEY.equals(key) ? SESSION_EXTRA : Impersonation.extraHeader(key);
    }

    private static boolean dropFromRequest(String name) {
        return HOP_BY_HOP.contains(name)
                || name.equals("authorization")
                || name.startsWith("impersonate-")
                || name.startsWith("x-remote-")
                || name.equals("x-forwarded-for")
                || name.equals("forwarded")
                || name.startsWith(":");
    }

    /** Copies the API server's response headers to the client response, minus hop-by-hop ones. */
    public static void copyResponse(MultiMap from, MultiMap to, boolean upgrade) {
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if ((HOP_BY_HOP.contains(name) && !(upgrade && UPGRADE.contains(name))) || name.startsWith(":")) {
                continue;
            }
            to.add(h.getKey(), h.getValue());
        }
    }
}
