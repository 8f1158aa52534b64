package dev.kubegate.upstream;

/**
 * Relays an answer as it comes (no masking, not a watch event stream): each chunk written as it
 * arrives, with backpressure; copied into the {@link BodyCapture} when the gateway asked for one.
 */
final class PlainRelay {

    private PlainRelay() {
    }

    static void start(ForwardedExchange x, BodyCapture capture) {
        x.answer.exceptionHandler(x::cutUnmasked);
        if (capture != null) {
            capture.head(x.resp.headers());
        }
        Backpressure.pump(x.answer, x.resp, chunk -> {
            x.sentDown += chunk.length();
            if (capture != null) {
                capture.add(chunk);
            }
        }, () -> {
            x.resp.end();
            x.complete(true);
        });
    }
}
