package dev.kubegate.upstream;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * Relays a started watch (no masking) like {@link PlainRelay}, tracking event boundaries so that a
 * stopping replica ({@link OpenWatches}) ends it between two events: at once when no event is half
 * sent, else right after the open one.
 */
final class WatchRelay {

    private final ForwardedExchange x;
    private final WatchFraming framing;
    private boolean ending;

    private WatchRelay(ForwardedExchange x) {
        this.x = x;
        this.framing = WatchFraming.forContentType(x.answer.getHeader(HttpHeaders.CONTENT_TYPE));
    }

    static void start(ForwardedExchange x, OpenWatches watches, Context context) {
        WatchRelay relay = new WatchRelay(x);
        watches.track(context, relay::endBetweenEvents, x.future());
        x.answer.handler(relay::relay);
        x.answer.endHandler(v -> {
            if (!x.isDone()) {
                x.resp.end();
                x.complete(true);
            }
        });
        x.answer.exceptionHandler(x::cutUnmasked);
        x.answer.resume();
    }

    private void endBetweenEvents() {
        ending = true;
        if (framing.atBoundary()) {
            finish();
        }
    }

    private void finish() {
        if (!x.isDone()) {
            if (!x.resp.closed()) {
                x.resp.end();
            }
            x.complete(true);
            x.cancelUpstream(); // ends the watch at the API server too
        }
    }

    private void relay(Buffer buf) {
        if (x.isDone()) {
            return;
        }
        int n = framing.feed(buf, ending);
        x.sentDown += n;
        x.resp.write(n == buf.length() ? buf : buf.slice(0, n));
        if (ending && framing.atBoundary()) {
            finish();
            return;
        }
        Backpressure.throttle(x.answer, x.resp);
    }
}
