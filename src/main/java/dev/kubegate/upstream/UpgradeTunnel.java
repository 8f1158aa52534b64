package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import dev.kubegate.masking.StreamMasker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Connection upgrades — exec, attach, port-forward and {@code kubectl cp} over WebSocket
 * ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}, port-forward tunnelled in WebSocket) or
 * SPDY/3.1. The upgrade request is sent to the API server over its own HTTP/1.1 connection; when it
 * answers 101 both connections become raw sockets spliced together with backpressure, and the bytes
 * are not interpreted. Any other answer (403, 404, 400 for an unsupported protocol) is relayed as
 * is, so kubectl can fall back from WebSocket to SPDY exactly as it would against the API server.
 *
 * <p>Vert.x's HTTP client and server only switch protocols for GET; client-go's SPDY executor
 * upgrades a POST. So the upstream side speaks HTTP/1.1 itself (Netty's codec on a raw connection),
 * and the client side of a non-GET upgrade takes over the HTTP/1.1 connection and writes the 101.
 */
public final class UpgradeTunnel {

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final long responseTimeoutMs;
    /** Both sockets of every open tunnel, for {@link #closeAll()}. */
    private final Set<NetSocket> openSockets = ConcurrentHashMap.newKeySet();

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
     * Sees the bytes of an open tunnel as they pass, e.g. to record an exec session. Called on the
     * connection's event loop: must not block and must not keep the buffer. Server→client bytes are
     * seen as the API server sent them, before any masking (a recorder masks on its own).
     */
    public interface Tap {
        /**
         * @param fromClient true for client → API server bytes
         * @return how many leading bytes of {@code bytes} go on: all of them while the session goes on,
         * fewer (down to none) once the tap is ending it
         */
        int data(boolean fromClient, Buffer bytes);

        /** Both directions ended (called before the exchange completes). */
        void closed();

        /**
         * Asked after every chunk: once non-null, the tap ends the session — these bytes are written
         * to the client (at a point where the client's stream can take them), then both sides are
         * closed. Answered at most once.
         */
        default Buffer lastWords() {
            return null;
        }
    }

    /**
     * Opens the tunnel. {@code onOpen} runs once both sides switched protocols; from then on
     * {@code filter} picks a masker for the server→client bytes (client→server bytes pass untouched),
     * and {@code tap} (optional) sees the spliced bytes. Fails with {@link UpstreamFailure} when
     * nothing was sent to the client yet; a filter that refuses closes the upstream connection and
     * fails the call that way.
     */
    public Future<Exchange> open(HttpServerRequest req, MultiMap headers, Runnable onOpen, ResponseFilter filter, Tap tap) {
        return new Opening(req, onOpen, filter, tap).start(headers);
    }

    /** One upgrade until the API server answers it (within the response timeout), then its splice. */
    private final class Opening {
        private final HttpServerRequest req;
        private final Runnable onOpen;
        private final ResponseFilter filter;
        private final Tap tap;
        private final Promise<Exchange> done = Promise.promise();
        /** Bytes that followed the 101 in the same read, before the socket switched to data mode. */
        private final List<Buffer> early = new ArrayList<>();
        private NetSocketInternal server;
        private HttpClientCodec codec;
        private long timer;

        Opening(HttpServerRequest req, Runnable onOpen, ResponseFilter filter, Tap tap) {
            this.req = req;
            this.onOpen = onOpen;
            this.filter = filter;
            this.tap = tap;
        }

        Future<Exchange> start(MultiMap headers) {
            timer = vertx.setTimer(responseTimeoutMs, id -> {
                if (done.tryFail(timeout()) && server != null) {
                    server.close();
                }
            });
            req.response().closeHandler(v -> {
                if (done.tryComplete(new Exchange(499, 0, 0, false)) && server != null) {
                    server.close();
                }
            });
            upstream.connectRaw().onComplete(connected -> {
                if (connected.failed()) {
                    vertx.cancelTimer(timer);
                    done.tryFail(unreachable(connected.cause()));
                } else {
                    connected((NetSocketInternal) connected.result(), headers);
                }
            });
            return done.future();
        }

        private void connected(NetSocketInternal socket, MultiMap headers) {
            if (done.future().isComplete()) {
                socket.close();
                return;
            }
            server = socket;
            codec = new HttpClientCodec(16 * 1024, MAX_HEAD_BYTES, 8 * 1024);
            server.channelHandlerContext().pipeline().addBefore("handler", "kubegate-http", codec);
            server.messageHandler(this::message);
            server.closeHandler(v -> done.tryFail(unreachable(new IllegalStateException("the API server closed the connection before answering"))));
            server.exceptionHandler(e -> server.close());
            server.writeMessage(requestHead(req, headers));
        }

        private void message(Object msg) {
            if (msg instanceof HttpResponse head) {
                vertx.cancelTimer(timer);
                if (head.status().code() == 101) {
                    // From here on the codec passes raw bytes; stop encoding HTTP on the way out.
                    codec.removeOutboundHandler();
                    splice(head);
                } else {
                    relayHead(req.response(), head);
                }
            } else if (msg instanceof HttpContent chunk) {
                relayContent(chunk);
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof ByteBuf raw) {
                early.add(Buffer.buffer(ByteBufUtil.getBytes(raw)));
                ReferenceCountUtil.release(raw);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        /** A body of an answer other than 101 (a refusal): relayed as it comes. */
        private void relayContent(HttpContent chunk) {
            HttpServerResponse resp = req.response();
            ByteBuf content = chunk.content();
            if (content.isReadable()) {
                resp.write(Buffer.buffer(ByteBufUtil.getBytes(content)));
            }
            if (chunk instanceof LastHttpContent && resp.headWritten() && !resp.ended()) {
                resp.end();
                server.close();
                done.tryComplete(new Exchange(resp.getStatusCode(), 0, resp.bytesWritten(), true));
            }
        }

        private void splice(HttpResponse head) {
            MultiMap upstreamHeaders = MultiMap.caseInsensitiveMultiMap();
            head.headers().forEach(h -> upstreamHeaders.add(h.getKey(), h.getValue()));
            StreamMasker masker;
            try {
                masker = filter.open(101, upstreamHeaders);
            } catch (UpstreamFailure refused) {
                server.closeHandler(null);
                server.close();
                done.tryFail(refused);
                return;
            }
            UpstreamHeaders.copyResponse(upstreamHeaders, req.response().headers(), true);
            server.pause();
            server.messageHandler(null); // back to plain data: raw bytes arrive as Buffers
            clientSocket(req).onComplete(down -> {
                if (down.failed()) {
                    server.close();
                    done.tryComplete(new Exchange(101, 0, 0, false));
                    return;
                }
                onOpen.run();
                new Splice(this, down.result(), masker).start();
            });
        }
    }

    /** An open tunnel: both sockets spliced, the bytes each way, and how it ends. */
    private final class Splice {
        private final Opening opening;
        private final NetSocket client;
        private final NetSocketInternal server;
        private final StreamMasker masker;
        /** Each socket's close counts down; the exchange completes at zero (the sockets may be on two event loops). */
        private final AtomicInteger open = new AtomicInteger(2);
        private long up2down;
        private long down2up;
        private MaskedRelay masked;
        private boolean ended;

        Splice(Opening opening, NetSocket client, StreamMasker masker) {
            this.opening = opening;
            this.client = client;
            this.server = opening.server;
            this.masker = masker;
        }

        void start() {
            openSockets.add(client);
            openSockets.add(server);
            Tap tap = opening.tap;
            relay(client, server, n -> down2up += n, this::closed, tap == null ? null : new Tapped(tap, true, this::end));
            Tapped downTap = tap == null ? null : new Tapped(tap, false, this::end);
            if (masker != null) {
                masked = new MaskedRelay(vertx, server, client, masker, n -> up2down += n, this::closed, downTap);
                masked.start(opening.early);
                return;
            }
            for (Buffer b : opening.early) {
                Buffer pass = downTap == null ? b : downTap.pass(b);
                up2down += pass.length();
                client.write(pass);
                if (downTap != null) downTap.after();
            }
            relay(server, client, n -> up2down += n, this::closed, downTap);
        }

        private void closed() {
            if (open.decrementAndGet() == 0) {
                openSockets.remove(client);
                openSockets.remove(server);
                if (opening.tap != null) opening.tap.closed();
                opening.done.tryComplete(new Exchange(101, down2up, up2down, true, masker == null ? 0 : masker.maskedCount()));
            }
        }

        /**
         * The tap ended the session: nothing more passes either way; its last words reach the
         * client (close() flushes what is queued first), then both sides close.
         */
        private void end(Buffer last) {
            if (ended) return;
            ended = true;
            client.pause();
            server.pause();
            if (masked != null) masked.flushHeld();
            up2down += last.length();
            client.write(last);
            client.close();
            server.close();
        }
    }

    private DefaultFullHttpRequest requestHead(HttpServerRequest req, MultiMap headers) {
        DefaultFullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(req.method().name()),
                upstream.pathPrefix() + req.uri(), Unpooled.EMPTY_BUFFER);
        for (Map.Entry<String, String> h : headers) {
            if (!h.getKey().equalsIgnoreCase("content-length")) {
                head.headers().add(h.getKey(), h.getValue());
            }
        }
        head.headers().set("Host", upstream.hostHeader());
        upstream.bearerToken().ifPresent(t -> head.headers().set("Authorization", t));
        // An upgrade request carries no body; say so rather than forward a client's claim.
        if (req.method() != HttpMethod.GET) {
            head.headers().set("Content-Length", "0");
        }
        return head;
    }

    /**
     * Closes every open tunnel, both sides (exec sessions see their stream end): the last step of a
     * replica that stops, once in-flight calls had their time. Returns how many sockets were open.
     */
    public int closeAll() {
        int n = openSockets.size();
        openSockets.forEach(NetSocket::close);
        return n;
    }

    /**
     * Switches the client connection to a raw socket, answering 101 with the API server's headers
     * (already on the response). GET uses Vert.x's own upgrade; any other method takes over the
     * HTTP/1.1 connection and writes the 101 head itself.
     */
    private static Future<NetSocket> clientSocket(HttpServerRequest req) {
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

    /** A {@link Tap} on one direction: what of a chunk goes on, and the tap's ending after it. */
    record Tapped(Tap tap, boolean fromClient, java.util.function.Consumer<Buffer> end) {
        /** The part of {@code b} that goes on (possibly empty). */
        Buffer pass(Buffer b) {
            int n = tap.data(fromClient, b);
            return n >= b.length() ? b : b.getBuffer(0, Math.max(0, n));
        }

        /** After a chunk went on: ends the session if the tap says so. */
        void after() {
            Buffer last = tap.lastWords();
            if (last != null) {
                end.accept(last);
            }
        }
    }

    /** One direction of the tunnel; the end of either side closes the other. */
    private static void relay(NetSocket from, NetSocket to, LongConsumer counter, Runnable closed, Tapped tap) {
        if (tap == null) {
            Backpressure.pump(from, to, b -> counter.accept(b.length()), to::end);
        } else {
            Backpressure.pump(new TappedStream(from, tap), to, b -> counter.accept(b.length()), to::end);
        }
        from.closeHandler(v -> {
            to.close();
            closed.run();
        });
        from.exceptionHandler(e -> from.close());
    }

    private static void relayHead(HttpServerResponse resp, HttpResponse head) {
        resp.setStatusCode(head.status().code());
        MultiMap upstreamHeaders = MultiMap.caseInsensitiveMultiMap();
        head.headers().forEach(h -> upstreamHeaders.add(h.getKey(), h.getValue()));
        UpstreamHeaders.copyResponse(upstreamHeaders, resp.headers(), false);
        if (upstreamHeaders.get(HttpHeaders.CONTENT_LENGTH) == null) {
            resp.setChunked(true);
        }
    }

    private UpstreamFailure timeout() {
        return new UpstreamFailure(Status.gatewayTimeout("the Kubernetes API server did not answer the upgrade within "
                + responseTimeoutMs + " ms"), null);
    }

    private UpstreamFailure unreachable(Throwable cause) {
        return new UpstreamFailure(Status.serviceUnavailable("the Kubernetes API server at "
                + upstream.credentials().server() + " is unreachable: " + Status.describe(cause)), cause);
    }

    /** A read stream whose buffers are shown to a tap, which says how much of each goes on. */
    private record TappedStream(NetSocket from, Tapped tap) implements io.vertx.core.streams.ReadStream<Buffer> {
        @Override
        public io.vertx.core.streams.ReadStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> h) {
            from.exceptionHandler(h);
            return this;
        }

        @Override
        public io.vertx.core.streams.ReadStream<Buffer> handler(io.vertx.core.Handler<Buffer> h) {
            from.handler(h == null ? null : b -> {
                Buffer pass = tap.pass(b);
                if (pass.length() > 0) {
                    h.handle(pass);
                }
                tap.after();
            });
            return this;
        }

        @Override
        public io.vertx.core.streams.ReadStream<Buffer> pause() {
            from.pause();
            return this;
        }

        @Override
        public io.vertx.core.streams.ReadStream<Buffer> resume() {
            from.resume();
            return this;
        }

        @Override
        public io.vertx.core.streams.ReadStream<Buffer> fetch(long amount) {
            from.fetch(amount);
            return this;
        }

        @Override
        public io.vertx.core.streams.ReadStream<Buffer> endHandler(io.vertx.core.Handler<Void> h) {
            from.endHandler(h);
            return this;
        }
    }
}
