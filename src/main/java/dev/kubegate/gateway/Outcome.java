package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;

/**
 * What a {@link Step} leaves the pipeline to do: go on to the next step, refuse the call with a
 * {@link Status}, or nothing at all because the step answered the call itself ({@code relayed}).
 * The two outcomes without a status are constants, so a synchronous step allocates nothing.
 */
final class Outcome {

    static final Outcome PROCEED = new Outcome(null);
    static final Outcome RELAYED = new Outcome(null);

    private static final Future<Outcome> PROCEED_NOW = Future.succeededFuture(PROCEED);
    private static final Future<Outcome> RELAYED_NOW = Future.succeededFuture(RELAYED);

    private final Status refusal;

    private Outcome(Status refusal) {
        this.refusal = refusal;
    }

    /** Go on with the next step. */
    static Future<Outcome> proceed() {
        return PROCEED_NOW;
    }

    /** The step answered the call and closed its record; nothing follows. */
    static Future<Outcome> relayed() {
        return RELAYED_NOW;
    }

    /** Refuse the call with {@code status}; nothing follows. */
    static Future<Outcome> refuse(Status status) {
        return Future.succeededFuture(refusal(status));
    }

    static Outcome refusal(Status status) {
        return new Outcome(status);
    }

    /** The status to refuse with, or null when the call proceeds or was answered. */
    Status refusalStatus() {
        return refusal;
    }
}
