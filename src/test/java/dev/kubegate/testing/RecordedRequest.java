package dev.kubegate.testing;

import java.time.Instant;
import java.util.Optional;

import io.vertx.core.MultiMap;

/**
 * One request as the double received it. Immutable except for what is only known later: the
 * status it was answered with, and when the client went away before the response was complete
 * (a cancelled watch, log follow or exec session shows up here).
 */
public final class RecordedRequest {
    private final String method;
    private final String path;
    private final String rawQuery;
    private final MultiMap headers;
    private final String protocol;
    private final String remoteAddress;
    private final Instant receivedAt;
    private volatile String body = "";
    private volatile int status;
    private volatile Instant clientClosedAt;

    RecordedRequest(String method, String path, String rawQuery, MultiMap headers, String protocol, String remoteAddress) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.headers = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        this.protocol = protocol;
        this.remoteAddress = remoteAddress;
        this.receivedAt = Instant.now();
    }

    public String method() {
        return method;
    }

    /** The path as sent (not decoded). */
    public String path() {
        return path;
    }

    /** The query string as sent, or null. */
    public String rawQuery() {
        return rawQuery;
    }

    /** A case-insensitive copy of the request headers. */
    public MultiMap headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** "HTTP_1_1" or "HTTP_2". */
    public String protocol() {
        return protocol;
    }

    /** The client's "ip:port": requests multiplexed on one HTTP/2 connection (or kept alive) share it. */
    public String remoteAddress() {
        return remoteAddress;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    /** The request body as text ("" for none and for upgraded connections). */
    public String body() {
        return body;
    }

    /** The HTTP status answered (101 for upgrades), or 0 while no response head was sent. */
    public int status() {
        return status;
    }

    /** When the client closed the connection or reset the stream while the response was still open. */
    public Optional<Instant> clientClosedAt() {
        return Optional.ofNullable(clientClosedAt);
    }

    /** The path with its query, as it appeared on the request line. */
    public String uri() {
        return rawQuery == null ? path : path + "?" + rawQuery;
    }

    void body(String body) {
        this.body = body;
    }

    void status(int status) {
        this.status = status;
    }

    void clientClosed() {
        if (clientClosedAt == null) {
            clientClosedAt = Instant.now();
        }
    }

    @Override
    public String toString() {
        return method + " " + uri() + " -> " + status;
    }
}
