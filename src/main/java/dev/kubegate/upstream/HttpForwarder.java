package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.StreamMasker;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Forwards one ordinary (non-upgrade) call: the request body streams up, the response streams down,
 * each chunk written as it arrives and the reader paused while the writer's queue is full — so a
 * watch or a 5 MB list crosses in bounded memory, and a slow client slows the API server's stream
 * instead of filling the heap.
 *
 * <p>Runs entirely on the calling event loop; nothing blocks.
 */
public final class HttpForwarder {

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final long responseTimeoutMs;
    /** How to end each open watch cleanly, for {@link #endWatches()}. */
    private final Set<Runnable> watchEnders = ConcurrentHashMap.newKeySet();
    private volatile boolean endingWatches;

    public HttpForwarder(Vertx vertx, UpstreamClient upstream, Duration responseTimeout) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.responseTimeoutMs = responseTimeout.toMillis();
    }

    /**
     * Forwards {@code req} (which the caller has paused) with {@code headers}. Fails with
     * {@link UpstreamFailure} when the client has been sent nothing yet; once the response has
     * started, problems end the exchange (as a watch {@code ERROR} event for watches) and the
     * future completes with {@link Exchange#complete()} false.
     */
    public Future<Exchange> forward(HttpServerRequest req, MultiMap headers, long maxBodyBytes, boolean watch) {
        return forward(req, headers, null, maxBodyBytes, watch);
    }

    /**
     * Like {@link #forward(HttpServerRequest, MultiMap, long, boolean)}, but sends {@code body} — already
     * read because policy had to see it — instead of streaming the request's own.
     */
    public Future<Exchange> forward(HttpServerRequest req, MultiMap headers, Buffer body, long maxBodyBytes, boolean watch) {
        return forward(req, headers, body, maxBodyBytes, watch, ResponseFilter.NONE);
    }

    /**
     * Like {@link #forward(HttpServerRequest, MultiMap, Buffer, long, boolean)}, with the answer's
     * body passed through the masker {@code filter} picks for it (see {@link #relayMasked}).
     */
    public Future<Exchange> forward(HttpServerRequest req, MultiMap headers, Buffer body, long maxBodyBytes, boolean watch,
                                    ResponseFilter filter) {
        return forward(req, headers, body, maxBodyBytes, watch, filter, null);
    }

    /**
     * Like {@link #forward(HttpServerRequest, MultiMap, Buffer, long, boolean, ResponseFilter)}, also
     * copying the answer the client is sent (after masking) into {@code capture} when it is not null
     * (never for a watch: it does not end).
     */
    public Future<Exchange> forward(HttpServerRequest req, MultiMap headers, Buffer body, long maxBodyBytes, boolean watch,
                                    ResponseFilter filter, BodyCapture capture) {
        Promise<Exchange> done = Promise.promise();
        HttpServerResponse resp = req.response();
        if (body != null) {
            headers.remove(HttpHeaders.TRANSFER_ENCODING);
            headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        }
        String contentLength = body != null ? null : req.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean chunkedBody = body == null && contentLength == null && hasUnsizedBody(req);
        if (contentLength != null) {
            long declared = parseLength(contentLength);
            if (declared < 0) {
                return Future.failedFuture(new UpstreamFailure(Status.badRequest("invalid Content-Length: " + contentLength), null));
            }
            if (declared > maxBodyBytes) {
                return Future.failedFuture(new UpstreamFailure(tooLarge(maxBodyBytes), null));
            }
        }
        // The response timeout covers everything until the answer starts: waiting for a pooled
        // connection, connecting, sending, and the API server's own processing.
        AtomicBoolean timedOut = new AtomicBoolean();
        HttpClientRequest[] opening = {null};
        long timer = vertx.setTimer(responseTimeoutMs, id -> {
            timedOut.set(true);
            if (opening[0] != null) {
                opening[0].reset(0, new TimeoutException());
            } else {
                done.tryFail(timeout());
            }
        });
        upstream.request(req.method(), req.uri(), headers).onComplete(opened -> {
            if (opened.failed()) {
                vertx.cancelTimer(timer);
                done.tryFail(timedOut.get() ? timeout() : unreachable(opened.cause()));
                return;
            }
            HttpClientRequest creq = opened.result();
            if (timedOut.get()) {
                creq.reset();
                return;
            }
            opening[0] = creq;
            AtomicBoolean clientGone = new AtomicBoolean();
            AtomicBoolean bodyTooLarge = new AtomicBoolean();
            // The client leaving (connection closed, HTTP/2 stream reset) cancels the upstream call:
            // this is what ends an abandoned watch at the API server.
            // (HTTP/2 calls the close handler at the end of every stream, so only an unfinished
            // exchange is cancelled; resetting a finished one would close a pooled HTTP/1.1 connection.)
            Runnable clientLeft = () -> {
                if (!done.future().isComplete()) {
                    clientGone.set(true);
                    creq.reset();
                }
            };
            resp.closeHandler(v -> clientLeft.run());
            resp.exceptionHandler(e -> clientLeft.run());
            long[] sentUp = {0};
            creq.response().onComplete(answered -> {
                vertx.cancelTimer(timer);
                if (answered.failed()) {
                    if (clientGone.get()) {
                        done.tryComplete(new Exchange(499, sentUp[0], 0, false));
                    } else if (timedOut.get()) {
                        done.tryFail(timeout());
                    } else if (bodyTooLarge.get()) {
                        done.tryFail(new UpstreamFailure(tooLarge(maxBodyBytes), null));
                    } else {
                        done.tryFail(unreachable(answered.cause()));
                    }
                    return;
                }
                relayResponse(answered.result(), resp, watch, filter, watch ? null : capture, clientGone, sentUp, done);
            });
            // A request that already ended has nothing left to stream (its body, if any, was read
            // into `body`); Vert.x refuses handlers, pause and resume on it ("Request has already been read").
            if ((contentLength != null || chunkedBody) && !req.isEnded()) {
                if (contentLength != null) {
                    creq.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
                } else {
                    creq.setChunked(true);
                }
                pump(req, creq, chunk -> {
                    sentUp[0] += chunk.length();
                    if (sentUp[0] > maxBodyBytes && !bodyTooLarge.getAndSet(true)) {
                        // Only a body without Content-Length can get here: stop it mid-stream.
                        req.pause();
                        creq.reset();
                    }
                }, () -> creq.end());
            } else {
                if (body != null) {
                    sentUp[0] = body.length();
                    creq.end(body);
                } else {
                    creq.end();
                }
                // An HTTP/2 request whose body was read (or that had none) has ended: resuming it throws.
                if (!req.isEnded()) {
                    req.resume();
                }
            }
        });
        return done.future();
    }

    /**
     * Ends every open watch — and from now on every new one, right after its headers — between two
     * events, with a normal end of the response: clients (kubectl, client-go reflectors) see the watch
     * close and re-establish it, through the load balancer, on another replica. For a replica that stops.
     */
    public void endWatches() {
        endingWatches = true;
        watchEnders.forEach(Runnable::run);
    }

    /** Watches being relayed now. */
    public int openWatches() {
        return watchEnders.size();
    }

    private void relayResponse(HttpClientResponse cresp, HttpServerResponse resp, boolean watch, ResponseFilter filter,
                               BodyCapture capture, AtomicBoolean clientGone, long[] sentUp, Promise<Exchange> done) {
        if (clientGone.get()) {
            cresp.request().reset();
            done.tryComplete(new Exchange(499, sentUp[0], 0, false));
            return;
        }
        StreamMasker masker;
        try {
            masker = filter.open(cresp.statusCode(), cresp.headers());
        } catch (UpstreamFailure refused) {
            cresp.request().reset();
            done.tryFail(refused);
            return;
        }
        if (masker != null) {
            relayMasked(cresp, resp, watch, masker, capture, clientGone, sentUp, done);
            return;
        }
        resp.setStatusCode(cresp.statusCode());
        resp.setStatusMessage(cresp.statusMessage());
        UpstreamHeaders.copyResponse(cresp.headers(), resp.headers(), false);
        if (cresp.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            resp.setChunked(true);
            // A stream (watch, log follow) may be silent for minutes: clients such as client-go's
            // Watch() wait for the headers, so send them now rather than with the first chunk.
            resp.writeHead();
        }
        long[] sentDown = {0};
        if (watch && cresp.statusCode() == 200) {
            relayWatch(cresp, resp, sentUp, sentDown, done);
        }
        cresp.exceptionHandler(e -> {
            if (done.future().isComplete()) {
                return; // kubegate ended the watch itself and cancelled the upstream call
            }
            if (clientGone.get()) {
                done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], false));
                return;
            }
            if (watch && !resp.ended()) {
                // Inside a started watch the API server's convention is an ERROR event, then the end.
                resp.end(Status.serviceUnavailable("the watch was interrupted by the Kubernetes API server: "
                        + Status.describe(e) + "; re-establish it from the last resourceVersion").toWatchErrorEvent());
            } else {
                resp.reset();
            }
            done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], false));
        });
        if (watch && cresp.statusCode() == 200) {
            cresp.resume();
            return;
        }
        if (capture != null) {
            capture.head(resp.headers());
        }
        pump(cresp, resp, chunk -> {
            sentDown[0] += chunk.length();
            if (capture != null) {
                capture.add(chunk);
            }
        }, () -> {
            resp.end();
            done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], true));
        });
    }

    /**
     * Relays a watch like {@link #pump}, tracking event boundaries so that {@link #endWatches()} can
     * end it between two events: at once when no event is half sent, else right after the open one.
     */
    private void relayWatch(HttpClientResponse cresp, HttpServerResponse resp, long[] sentUp, long[] sentDown,
                            Promise<Exchange> done) {
        WatchFraming framing = WatchFraming.forContentType(cresp.getHeader(HttpHeaders.CONTENT_TYPE));
        io.vertx.core.Context ctx = vertx.getOrCreateContext();
        boolean[] ending = {false};
        Runnable finish = () -> {
            if (!done.future().isComplete()) {
                if (!resp.closed()) {
                    resp.end();
                }
                done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], true));
                cresp.request().reset(); // ends the watch at the API server too
            }
        };
        Runnable ender = () -> ctx.runOnContext(v -> {
            ending[0] = true;
            if (framing.atBoundary()) {
                finish.run();
            }
        });
        watchEnders.add(ender);
        done.future().onComplete(x -> watchEnders.remove(ender));
        cresp.handler(buf -> {
            if (done.future().isComplete()) {
                return;
            }
            int n = framing.feed(buf, ending[0]);
            sentDown[0] += n;
            resp.write(n == buf.length() ? buf : buf.slice(0, n));
            if (ending[0] && framing.atBoundary()) {
                finish.run();
                return;
            }
            if (resp.writeQueueFull()) {
                cresp.pause();
                resp.drainHandler(v -> cresp.resume());
            }
        });
        cresp.endHandler(v -> {
            if (!done.future().isComplete()) {
                resp.end();
                done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], true));
            }
        });
        if (endingWatches) {
            ender.run();
        }
    }

    /**
     * Relays an answer through {@code masker}: each chunk is masked as it arrives and what is ready
     * is written at once (a watch event leaves as soon as it is complete), with the same
     * backpressure as {@link #pump}. The length changes, so the answer is sent chunked. When the body
     * cannot be masked, nothing more of it is sent: before the head is written the call fails with a
     * 500 Status; in a watch between two events an {@code ERROR} event ends it; otherwise the stream
     * is reset, so the client sees a broken answer, never an unmasked one.
     */
    private void relayMasked(HttpClientResponse cresp, HttpServerResponse resp, boolean watch, StreamMasker masker,
                             BodyCapture capture, AtomicBoolean clientGone, long[] sentUp, Promise<Exchange> done) {
        resp.setStatusCode(cresp.statusCode());
        resp.setStatusMessage(cresp.statusMessage());
        UpstreamHeaders.copyResponse(cresp.headers(), resp.headers(), false);
        resp.headers().remove(HttpHeaders.CONTENT_LENGTH);
        resp.setChunked(true);
        // A finite JSON answer is held (up to MaskWarning.HOLD_BYTES) so its Warning can count the masked values.
        Buffer[] held = {!watch && isJson(cresp) ? Buffer.buffer() : null};
        if (held[0] == null) {
            resp.headers().add(MaskWarning.HEADER, MaskWarning.ACTIVE);
            if (cresp.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                resp.writeHead(); // a stream: the client waits for the head (see relayResponse)
            }
        }
        if (capture != null) {
            capture.head(resp.headers());
        }
        long[] sentDown = {0};
        boolean[] stopped = {false};
        java.util.function.Consumer<Throwable> cut = e -> {
            stopped[0] = true;
            cresp.handler(null);
            cresp.endHandler(null);
            cresp.request().reset();
            Status status = Status.internalError("kubegate must mask secrets in this answer and could not read it ("
                    + Status.describe(e) + "), so it is withheld");
            if (!resp.headWritten()) {
                resp.headers().clear();
                done.tryFail(new UpstreamFailure(status, e));
                return;
            }
            if (watch && masker.atBoundary() && !resp.ended()) {
                resp.end(status.toWatchErrorEvent());
            } else if (!resp.ended()) {
                resp.reset();
            }
            done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], false, masker.maskedCount()));
        };
        cresp.exceptionHandler(e -> {
            if (stopped[0]) {
                return;
            }
            stopped[0] = true;
            if (!clientGone.get() && !resp.ended()) {
                if (!resp.headWritten()) {
                    resp.reset();
                } else if (watch && masker.atBoundary()) {
                    resp.end(Status.serviceUnavailable("the watch was interrupted by the Kubernetes API server: "
                            + Status.describe(e) + "; re-establish it from the last resourceVersion").toWatchErrorEvent());
                } else {
                    resp.reset();
                }
            }
            done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], false, masker.maskedCount()));
        });
        // A stopping replica ends a masked watch between two events, like an unmasked one (relayWatch).
        boolean[] ending = {false};
        Runnable finish = () -> {
            if (!stopped[0]) {
                stopped[0] = true;
                if (!resp.closed() && !resp.ended()) {
                    resp.end();
                }
                done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], true, masker.maskedCount()));
                cresp.request().reset();
            }
        };
        if (watch && cresp.statusCode() == 200) {
            io.vertx.core.Context ctx = vertx.getOrCreateContext();
            Runnable ender = () -> ctx.runOnContext(v -> {
                ending[0] = true;
                if (masker.atBoundary()) {
                    finish.run();
                }
            });
            watchEnders.add(ender);
            done.future().onComplete(x -> watchEnders.remove(ender));
            if (endingWatches) {
                ender.run();
            }
        }
        // Text (logs): large chunks are masked off the event loop (MaskingLane); JSON stays inline.
        MaskingLane lane = new MaskingLane(vertx.getOrCreateContext(), cresp, resp, masker instanceof LineMasker);
        cresp.handler(buf -> {
            if (stopped[0]) {
                return;
            }
            byte[] in = buf.getBytes();
            lane.run(() -> masker.feed(in, 0, in.length), in.length, masked -> {
                if (stopped[0]) {
                    lane.close();
                    return;
                }
                if (masked.failed()) {
                    cut.accept(masked.cause());
                } else {
                    deliverMasked(masked.result(), cresp, resp, masker, capture, sentDown, held, ending, finish);
                }
            });
        });
        cresp.endHandler(v -> lane.afterPending(() -> {
            if (stopped[0]) {
                return;
            }
            lane.run(masker::finish, MaskingLane.UNKNOWN, last -> {
                lane.close();
                if (stopped[0]) {
                    return;
                }
                if (last.failed()) {
                    cut.accept(last.cause());
                } else {
                    endMasked(last.result(), cresp, resp, masker, capture, sentUp, sentDown, held, done);
                }
            });
        }));
        cresp.resume();
    }

    /** Writes a masked piece; ends a stopping watch at an event boundary; applies backpressure. */
    private static void deliverMasked(byte[] out, HttpClientResponse cresp, HttpServerResponse resp, StreamMasker masker,
                                      BodyCapture capture, long[] sentDown, Buffer[] held, boolean[] ending,
                                      Runnable finish) {
        if (out.length > 0) {
            sentDown[0] += out.length;
            Buffer chunk = Buffer.buffer(out);
            if (capture != null) {
                capture.add(chunk);
            }
            if (held[0] == null) {
                resp.write(chunk);
            } else if (held[0].length() + chunk.length() <= MaskWarning.HOLD_BYTES) {
                held[0].appendBuffer(chunk);
            } else {
                // Too large to hold: the head leaves now, saying masking is active without a count.
                resp.headers().add(MaskWarning.HEADER, MaskWarning.ACTIVE);
                resp.write(held[0].appendBuffer(chunk));
                held[0] = null;
            }
        }
        if (ending[0] && masker.atBoundary()) {
            finish.run();
            return;
        }
        if (resp.writeQueueFull()) {
            cresp.pause();
            resp.drainHandler(v -> cresp.resume());
        }
    }

    /** Writes the last masked piece (after a held answer, with its counted Warning) and completes the exchange. */
    private static void endMasked(byte[] last, HttpClientResponse cresp, HttpServerResponse resp, StreamMasker masker,
                                  BodyCapture capture, long[] sentUp, long[] sentDown, Buffer[] held, Promise<Exchange> done) {
        sentDown[0] += last.length;
        Buffer chunk = Buffer.buffer(last);
        if (capture != null) {
            capture.add(chunk);
        }
        if (held[0] != null) {
            MaskWarning.addCounted(resp.headers(), masker.maskedCount());
            chunk = held[0].appendBuffer(chunk);
            held[0] = null;
        }
        resp.end(chunk);
        done.tryComplete(new Exchange(cresp.statusCode(), sentUp[0], sentDown[0], true, masker.maskedCount()));
    }

    private static boolean isJson(HttpClientResponse cresp) {
        String type = cresp.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.split(";", 2)[0].strip().equalsIgnoreCase("application/json");
    }

    /** Streams {@code from} into {@code to}, pausing the source while the destination's queue is full. */
    static void pump(ReadStream<Buffer> from, WriteStream<Buffer> to, Consumer<Buffer> onChunk, Runnable onEnd) {
        from.handler(buf -> {
            onChunk.accept(buf);
            to.write(buf);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.endHandler(v -> onEnd.run());
        from.resume();
    }

    /** A body with no length: chunked HTTP/1.1, or an HTTP/2 stream still open after the headers. */
    private static boolean hasUnsizedBody(HttpServerRequest req) {
        if (req.version() == HttpVersion.HTTP_2) {
            return !req.isEnded();
        }
        String te = req.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return te != null && te.toLowerCase(java.util.Locale.ROOT).contains("chunked");
    }

    private static long parseLength(String value) {
        try {
            long n = Long.parseLong(value.strip());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private UpstreamFailure timeout() {
        return new UpstreamFailure(Status.gatewayTimeout("the Kubernetes API server at " + upstream.credentials().server()
                + " did not answer within " + responseTimeoutMs + " ms"), null);
    }

    private static Status tooLarge(long max) {
        return Status.tooLarge("the request body is larger than kubegate accepts (" + max + " bytes)");
    }

    private UpstreamFailure unreachable(Throwable cause) {
        return new UpstreamFailure(Status.serviceUnavailable("the Kubernetes API server at "
                + upstream.credentials().server() + " is unreachable: " + Status.describe(cause)), cause);
    }

}
