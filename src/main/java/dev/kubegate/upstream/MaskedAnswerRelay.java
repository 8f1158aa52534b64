package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.StreamMasker;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays an answer through a masker: each chunk is masked as it arrives and what is ready is
 * written at once (a watch event leaves as soon as it is complete), with {@link Backpressure}. The
 * length changes, so the answer is sent chunked. When the body cannot be masked, nothing more of it
 * is sent: before the head is written the call fails with a 500 Status; in a watch between two
 * events an {@code ERROR} event ends it; otherwise the stream is reset, so the client sees a broken
 * answer, never an unmasked one. Text (logs): large chunks are masked off the event loop
 * ({@link MaskingLane}); JSON stays inline.
 */
final class MaskedAnswerRelay {

    private final ForwardedExchange x;
    private final HttpClientResponse cresp;
    private final HttpServerResponse resp;
    private final StreamMasker masker;
    private final BodyCapture capture;
    private final MaskingLane lane;
    /** A finite JSON answer held (up to {@link MaskWarning#HOLD_BYTES}) so its Warning can count the masked values; else null. */
    private Buffer held;
    private boolean stopped;
    /** The replica stops: end the watch at the next event boundary. */
    private boolean ending;

    private MaskedAnswerRelay(Vertx vertx, ForwardedExchange x, StreamMasker masker, BodyCapture capture) {
        this.x = x;
        this.cresp = x.answer;
        this.resp = x.resp;
        this.masker = masker;
        this.capture = capture;
        this.held = !x.watch && isJson(cresp) ? Buffer.buffer() : null;
        this.lane = new MaskingLane(vertx.getOrCreateContext(), cresp, resp, masker instanceof LineMasker);
    }

    static void start(Vertx vertx, OpenWatches watches, ForwardedExchange x, StreamMasker masker, BodyCapture capture) {
        x.copyHead();
        x.resp.headers().remove(HttpHeaders.CONTENT_LENGTH);
        x.resp.setChunked(true);
        MaskedAnswerRelay relay = new MaskedAnswerRelay(vertx, x, masker, capture);
        relay.head();
        x.answer.exceptionHandler(relay::upstreamFailed);
        if (x.watch && x.answer.statusCode() == 200) {
            // A stopping replica ends a masked watch between two events, like an unmasked one.
            watches.track(vertx.getOrCreateContext(), relay::endBetweenEvents, x.future());
        }
        x.answer.handler(relay::chunk);
        x.answer.endHandler(v -> relay.lane.afterPending(relay::last));
        x.answer.resume();
    }

    private void head() {
        if (held == null) {
            resp.headers().add(MaskWarning.HEADER, MaskWarning.ACTIVE);
            if (cresp.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                resp.writeHead(); // a stream: the client waits for the head
            }
        }
        if (capture != null) {
            capture.head(resp.headers());
        }
    }

    private void chunk(Buffer buf) {
        if (stopped) {
            return;
        }
        byte[] in = buf.getBytes();
        lane.run(() -> masker.feed(in, 0, in.length), in.length, masked -> {
            if (stopped) {
                lane.close();
                return;
            }
            if (masked.failed()) {
                cut(masked.cause());
            } else {
                deliver(masked.result());
            }
        });
    }

    private void last() {
        if (stopped) {
            return;
        }
        lane.run(masker::finish, MaskingLane.UNKNOWN, last -> {
            lane.close();
            if (stopped) {
                return;
            }
            if (last.failed()) {
                cut(last.cause());
            } else {
                end(last.result());
            }
        });
    }

    /** Writes a masked piece; ends a stopping watch at an event boundary; applies backpressure. */
    private void deliver(byte[] out) {
        if (out.length > 0) {
            Buffer chunk = counted(out);
            if (held == null) {
                resp.write(chunk);
            } else if (held.length() + chunk.length() <= MaskWarning.HOLD_BYTES) {
                held.appendBuffer(chunk);
            } else {
                // Too large to hold: the head leaves now, saying masking is active without a count.
                resp.headers().add(MaskWarning.HEADER, MaskWarning.ACTIVE);
                resp.write(held.appendBuffer(chunk));
                held = null;
            }
        }
        if (ending && masker.atBoundary()) {
            finish();
            return;
        }
        Backpressure.throttle(cresp, resp);
    }

    /** Writes the last masked piece (after a held answer, with its counted Warning) and completes the exchange. */
    private void end(byte[] last) {
        Buffer chunk = counted(last);
        if (held != null) {
            MaskWarning.addCounted(resp.headers(), masker.maskedCount());
            chunk = held.appendBuffer(chunk);
            held = null;
        }
        resp.end(chunk);
        x.complete(true, masker.maskedCount());
    }

    private Buffer counted(byte[] out) {
        x.sentDown += out.length;
        Buffer chunk = Buffer.buffer(out);
        if (capture != null) {
            capture.add(chunk);
        }
        return chunk;
    }

    private void endBetweenEvents() {
        ending = true;
        if (masker.atBoundary()) {
            finish();
        }
    }

    private void finish() {
        if (!stopped) {
            stopped = true;
            if (!resp.closed() && !resp.ended()) {
                resp.end();
            }
            x.complete(true, masker.maskedCount());
            x.cancelUpstream();
        }
    }

    /** The answer could not be masked: nothing more of it is sent. */
    private void cut(Throwable e) {
        stopped = true;
        cresp.handler(null);
        cresp.endHandler(null);
        x.cancelUpstream();
        Status status = Status.internalError("kubegate must mask secrets in this answer and could not read it ("
                + Status.describe(e) + "), so it is withheld");
        if (!resp.headWritten()) {
            resp.headers().clear();
            x.fail(new UpstreamFailure(status, e));
            return;
        }
        if (x.watch && masker.atBoundary() && !resp.ended()) {
            resp.end(status.toWatchErrorEvent());
        } else if (!resp.ended()) {
            resp.reset();
        }
        x.complete(false, masker.maskedCount());
    }

    private void upstreamFailed(Throwable e) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (!x.clientGone && !resp.ended()) {
            if (!resp.headWritten()) {
                resp.reset();
            } else if (x.watch && masker.atBoundary()) {
                resp.end(ForwardedExchange.interruptedWatch(e));
            } else {
                resp.reset();
            }
        }
        x.complete(false, masker.maskedCount());
    }

    private static boolean isJson(HttpClientResponse cresp) {
        String type = cresp.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.split(";", 2)[0].strip().equalsIgnoreCase("application/json");
    }
}
