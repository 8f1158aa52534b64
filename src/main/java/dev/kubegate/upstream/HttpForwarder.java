package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import dev.kubegate.masking.StreamMasker;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one ordinary (non-upgrade) call: the request body streams up, the response streams down,
 * each chunk written as it arrives and the reader paused while the writer's queue is full — so a
 * watch or a 5 MB list crosses in bounded memory, and a slow client slows the API server's stream
 * instead of filling the heap. This class is the request side; the answer goes through one of
 * three relays: {@link PlainRelay}, {@link WatchRelay} (an unmasked watch, endable between events)
 * or {@link MaskedAnswerRelay}.
 *
 * <p>Runs entirely on the calling event loop; nothing blocks.
 */
public final class HttpForwarder {

    private final Vertx vertx;
    private final UpstreamClient upstream;
    private final long responseTimeoutMs;
    private final OpenWatches watches = new OpenWatches();

    public HttpForwarder(Vertx vertx, UpstreamClient upstream, Duration responseTimeout) {
        this.vertx = vertx;
        this.upstream = upstream;
        this.responseTimeoutMs = responseTimeout.toMillis();
    }

    /**
     * Forwards {@code req} (which the caller has paused) with {@code headers}, sending {@code body}
     * when it was already read (because policy had to see it), else streaming the request's own up to
     * {@code maxBodyBytes}. The answer's body passes through the masker {@code filter} picks for it,
     * and is copied, as the client is sent it, into {@code capture} when not null (never for a watch:
     * it does not end). Fails with {@link UpstreamFailure} when the client has been sent nothing yet;
     * once the response has started, problems end the exchange (as a watch {@code ERROR} event for
     * watches) and the future completes with {@link Exchange#complete()} false.
     */
    // Seven parameters: the call as read (request, headers, body, its limit) and what the gateway planned
    // for the answer (watch, masker, capture); an object holding them would be built per call only to be taken apart here.
    public Future<Exchange> forward(HttpServerRequest req, MultiMap headers, Buffer body, long maxBodyBytes, boolean watch,
                                    ResponseFilter filter, BodyCapture capture) {
        if (body != null) {
            headers.remove(HttpHeaders.TRANSFER_ENCODING);
            headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
        }
        String contentLength = body != null ? null : req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (contentLength != null) {
            long declared = parseLength(contentLength);
            if (declared < 0) {
                return Future.failedFuture(new UpstreamFailure(Status.badRequest("invalid Content-Length: " + contentLength), null));
            }
            if (declared > maxBodyBytes) {
                return Future.failedFuture(new UpstreamFailure(tooLarge(maxBodyBytes), null));
            }
        }
        return new Forwarding(req, body, contentLength, maxBodyBytes, new ForwardedExchange(req.response(), watch), filter,
                watch ? null : capture).start(headers);
    }

    /**
     * Ends every open watch — and from now on every new one, right after its headers — between two
     * events, with a normal end of the response: clients (kubectl, client-go reflectors) see the watch
     * close and re-establish it, through the load balancer, on another replica. For a replica that stops.
     */
    public void endWatches() {
        watches.endAll();
    }

    /** Watches being relayed now. */
    public int openWatches() {
        return watches.size();
    }

    /** The request side of one forwarded call: open upstream within the timeout, send the body, pick the relay. */
    private final class Forwarding {
        private final HttpServerRequest req;
        private final Buffer body;
        private final String contentLength;
        private final boolean chunkedBody;
        private final long maxBodyBytes;
        private final ForwardedExchange x;
        private final ResponseFilter filter;
        private final BodyCapture capture;
        private long timer;

        // The call's parts as forward() checked them; built once per call, in one place.
        Forwarding(HttpServerRequest req, Buffer body, String contentLength, long maxBodyBytes, ForwardedExchange x,
                   ResponseFilter filter, BodyCapture capture) {
            this.req = req;
            this.body = body;
            this.contentLength = contentLength;
            this.chunkedBody = body == null && contentLength == null && hasUnsizedBody(req);
            this.maxBodyBytes = maxBodyBytes;
            this.x = x;
            this.filter = filter;
            this.capture = capture;
        }

        Future<Exchange> start(MultiMap headers) {
            // The response timeout covers everything until the answer starts: waiting for a pooled
            // connection, connecting, sending, and the API server's own processing.
            timer = vertx.setTimer(responseTimeoutMs, id -> timedOut());
            upstream.request(req.method(), req.uri(), headers).onComplete(this::opened);
            return x.future();
        }

        private void timedOut() {
            x.timedOut = true;
            if (x.opening != null) {
                x.opening.reset(0, new TimeoutException());
            } else {
                x.fail(timeout());
            }
        }

        private void opened(AsyncResult<HttpClientRequest> opened) {
            if (opened.failed()) {
                vertx.cancelTimer(timer);
                x.fail(x.timedOut ? timeout() : unreachable(opened.cause()));
                return;
            }
            HttpClientRequest creq = opened.result();
            if (x.timedOut) {
                creq.reset();
                return;
            }
            x.opening = creq;
            // The client leaving (connection closed, HTTP/2 stream reset) cancels the upstream call:
            // this is what ends an abandoned watch at the API server.
            x.resp.closeHandler(v -> clientLeft());
            x.resp.exceptionHandler(e -> clientLeft());
            creq.response().onComplete(this::answered);
            send(creq);
        }

        /**
         * HTTP/2 calls the close handler at the end of every stream, so only an unfinished exchange is
         * cancelled; resetting a finished one would close a pooled HTTP/1.1 connection.
         */
        private void clientLeft() {
            if (!x.isDone()) {
                x.clientGone = true;
                x.opening.reset();
            }
        }

        private void send(HttpClientRequest creq) {
            // A request that already ended has nothing left to stream (its body, if any, was read
            // into `body`); Vert.x refuses handlers, pause and resume on it ("Request has already been read").
            if ((contentLength != null || chunkedBody) && !req.isEnded()) {
                if (contentLength != null) {
                    creq.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
                } else {
                    creq.setChunked(true);
                }
                Backpressure.pump(req, creq, this::sentUp, () -> creq.end());
                return;
            }
            if (body != null) {
                x.sentUp = body.length();
                creq.end(body);
            } else {
                creq.end();
            }
            // An HTTP/2 request whose body was read (or that had none) has ended: resuming it throws.
            if (!req.isEnded()) {
                req.resume();
            }
        }

        private void sentUp(Buffer chunk) {
            x.sentUp += chunk.length();
            if (x.sentUp > maxBodyBytes && !x.bodyTooLarge) {
                // Only a body without Content-Length can get here: stop it mid-stream.
                x.bodyTooLarge = true;
                req.pause();
                x.opening.reset();
            }
        }

        private void answered(AsyncResult<HttpClientResponse> answered) {
            vertx.cancelTimer(timer);
            if (answered.succeeded()) {
                x.answer = answered.result();
                relay();
            } else if (x.clientGone) {
                x.completeClientGone();
            } else if (x.timedOut) {
                x.fail(timeout());
            } else if (x.bodyTooLarge) {
                x.fail(new UpstreamFailure(tooLarge(maxBodyBytes), null));
            } else {
                x.fail(unreachable(answered.cause()));
            }
        }

        private void relay() {
            if (x.clientGone) {
                x.cancelUpstream();
                x.completeClientGone();
                return;
            }
            StreamMasker masker;
            try {
                masker = filter.open(x.answer.statusCode(), x.answer.headers());
            } catch (UpstreamFailure refused) {
                x.cancelUpstream();
                x.fail(refused);
                return;
            }
            if (masker != null) {
                MaskedAnswerRelay.start(vertx, watches, x, masker, capture);
                return;
            }
            x.copyHead();
            if (x.answer.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                x.resp.setChunked(true);
                // A stream (watch, log follow) may be silent for minutes: clients such as client-go's
                // Watch() wait for the headers, so send them now rather than with the first chunk.
                x.resp.writeHead();
            }
            if (x.watch && x.answer.statusCode() == 200) {
                WatchRelay.start(x, watches, vertx.getOrCreateContext());
            } else {
                PlainRelay.start(x, capture);
            }
        }
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
