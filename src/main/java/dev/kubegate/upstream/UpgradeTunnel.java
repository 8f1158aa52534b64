package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection upgrades — exec, attach, port-forward and {@code kubectl cp} over WebSocket
 * ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}, port-forward tunnelled in WebSocket) or
 * SPDY/3.1. The upgrade request is sent to the API server over HTTP/1.1; when it answers 101 both
 * connections become raw sockets spliced together with backpressure, and the bytes are not
 * interpreted. Any other answer (403, 404, 400 for an unsupported protocol) is relayed as is, so
 * kubectl can fall back from WebSocket to SPDY exactly as it would against the API server.
 */
public final class UpgradeTunnel {

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final long responseTimeoutMs;

    public UpgradeTunnel(Vertx vertx, UpstreamClient upstream, Duration responseTimeout) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.responseTimeoutMs = responseTimeout.toMillis();
    }

    /** True for an HTTP/1.1 request asking to switch protocols. */
    public static boolean isUpgrade(HttpServerRequest req) {
        String connection = req.getHeader(HttpHeaders.CONNECTION);
        return req.getHeader(HttpHeaders.UPGRADE) != null && connection != null
                && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    /**
     * Opens the tunnel. {@code onOpen} runs once both sides switched protocols. Fails with
     * {@link UpstreamFailure} when nothing was sent to the client yet.
     */
    public Future<Exchange> open(HttpServerRequest req, MultiMap headers, Runnable onOpen) {
        Promise<Exchange> done = Promise.promise();
        upstream.request(req.method(), req.uri(), headers, true).onComplete(opened -> {
            if (opened.failed()) {
                done.fail(unreachable(opened.cause()));
                return;
            }
            HttpClientRequest creq = opened.result();
            long timer = vertx.setTimer(responseTimeoutMs, id -> creq.reset(0, new TimeoutException()));
            req.response().closeHandler(v -> creq.reset());
            creq.connect().onComplete(answered -> {
                vertx.cancelTimer(timer);
                if (answered.failed()) {
                    done.fail(answered.cause() instanceof TimeoutException
                            ? new UpstreamFailure(Status.gatewayTimeout("the Kubernetes API server did not answer the upgrade within "
                            + responseTimeoutMs + " ms"), answered.cause())
                            : unreachable(answered.cause()));
                    return;
                }
                HttpClientResponse cresp = answered.result();
                if (cresp.statusCode() == 101) {
                    splice(req, cresp, onOpen, done);
                } else {
                    relayRefusal(req.response(), cresp, done);
                }
            });
        });
        return done.future();
    }

    private void splice(HttpServerRequest req, HttpClientResponse cresp, Runnable onOpen, Promise<Exchange> done) {
        HttpServerResponse resp = req.response();
        UpstreamHeaders.copyResponse(cresp.headers(), resp.headers(), true);
        NetSocket server = cresp.netSocket();
        clientSocket(req, cresp).onComplete(down -> {
            if (down.failed()) {
                server.close();
                done.tryComplete(new Exchange(101, 0, 0, false));
                return;
            }
            NetSocket client = down.result();
            onOpen.run();
            long[] up2down = {0};
            long[] down2up = {0};
            AtomicInteger open = new AtomicInteger(2);
            Runnable closed = () -> {
                if (open.decrementAndGet() == 0) {
                    done.tryComplete(new Exchange(101, down2up[0], up2down[0], true));
                }
            };
            relay(client, server, down2up, closed);
            relay(server, client, up2down, closed);
        });
    }

    /**
     * Switches the client connection to a raw socket, answering 101 with the API server's headers.
     * Vert.x's public {@code toNetSocket()} only upgrades GET (WebSocket); client-go's SPDY executor
     * upgrades a POST, so for those the HTTP/1.1 connection is taken over directly and the 101 head
     * written by hand.
     */
    private static Future<NetSocket> clientSocket(HttpServerRequest req, HttpClientResponse cresp) {
        if (req.method() == HttpMethod.GET) {
            return req.toNetSocket();
        }
        if (!(req.connection() instanceof Http1xServerConnection conn)) {
            return Future.failedFuture("connection upgrades need HTTP/1.1");
        }
        StringBuilder head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        req.response().headers().forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
        head.append("\r\n");
        return conn.netSocket().compose(socket -> socket.write(Buffer.buffer(head.toString())).map(socket));
    }

    /** One direction of the tunnel; the end of either side closes the other. */
    private static void relay(NetSocket from, NetSocket to, long[] counter, Runnable closed) {
        HttpForwarder.pump(from, to, n -> counter[0] += n, to::end);
        from.closeHandler(v -> {
            to.close();
            closed.run();
        });
        from.exceptionHandler(e -> from.close());
    }

    private static void relayRefusal(HttpServerResponse resp, HttpClientResponse cresp, Promise<Exchange> done) {
        resp.setStatusCode(cresp.statusCode());
        UpstreamHeaders.copyResponse(cresp.headers(), resp.headers(), false);
        if (cresp.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            resp.setChunked(true);
        }
        long[] bytes = {0};
        cresp.exceptionHandler(e -> {
            resp.reset();
            done.tryComplete(new Exchange(cresp.statusCode(), 0, bytes[0], false));
        });
        HttpForwarder.pump(cresp, resp, n -> bytes[0] += n, () -> {
            resp.end();
            done.tryComplete(new Exchange(cresp.statusCode(), 0, bytes[0], true));
        });
    }

    private UpstreamFailure unreachable(Throwable cause) {
        return new UpstreamFailure(Status.serviceUnavailable("the Kubernetes API server at "
                + upstream.credentials().server() + " is unreachable: " + HttpForwarder.describe(cause)), cause);
    }
}
