package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * The state of one forwarded call, shared by the request side ({@link HttpForwarder}) and the relay
 * of its answer ({@link PlainRelay}, {@link WatchRelay}, {@link MaskedAnswerRelay}): byte counts,
 * why it stopped, and how it ends. Touched only on the request's event loop.
 */
final class ForwardedExchange {

    final HttpServerResponse resp;
    final boolean watch;
    private final Promise<Exchange> done = Promise.promise();

    /** The upstream request once opened; the response timeout resets it. */
    HttpClientRequest opening;
    /** The API server's answer, once its head has come. */
    HttpClientResponse answer;
    volatile boolean timedOut;
    volatile boolean clientGone;
    boolean bodyTooLarge;
    long sentUp;
    long sentDown;

    ForwardedExchange(HttpServerResponse resp, boolean watch) {
        this.resp = resp;
        this.watch = watch;
    }

    Future<Exchange> future() {
        return done.future();
    }

    boolean isDone() {
        return done.future().isComplete();
    }

    /** Ends with the answer relayed ({@code whole}) or cut. */
    void complete(boolean whole) {
        complete(whole, 0);
    }

    void complete(boolean whole, long maskedCount) {
        done.tryComplete(new Exchange(answer.statusCode(), sentUp, sentDown, whole, maskedCount));
    }

    /** Ends because the client left before any answer reached it. */
    void completeClientGone() {
        done.tryComplete(new Exchange(499, sentUp, 0, false));
    }

    /** Fails: the client has been sent nothing, so the gateway answers with the failure's Status. */
    void fail(Throwable failure) {
        done.tryFail(failure);
    }

    /** Cancels the call at the API server (this is what ends a watch there). */
    void cancelUpstream() {
        answer.request().reset();
    }

    /** The answer's status line and headers, as the client gets them. */
    void copyHead() {
        resp.setStatusCode(answer.statusCode());
        resp.setStatusMessage(answer.statusMessage());
        UpstreamHeaders.copyResponse(answer.headers(), resp.headers(), false);
    }

    /**
     * The API server's answer broke off, unmasked: the client sees the end of a watch (an ERROR
     * event), or a reset stream, never a short answer that looks whole.
     */
    void cutUnmasked(Throwable e) {
        if (isDone()) {
            return; // kubegate ended the watch itself and cancelled the upstream call
        }
        if (clientGone) {
            complete(false);
            return;
        }
        if (watch && !resp.ended()) {
            resp.end(interruptedWatch(e));
        } else {
            resp.reset();
        }
        complete(false);
    }

    /** Inside a started watch the API server's convention for a failure is an ERROR event, then the end. */
    static String interruptedWatch(Throwable e) {
        return Status.serviceUnavailable("the watch was interrupted by the Kubernetes API server: "
                + Status.describe(e) + "; re-establish it from the last resourceVersion").toWatchErrorEvent();
    }
}
