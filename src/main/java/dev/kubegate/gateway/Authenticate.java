package dev.kubegate.gateway;

import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.k8s.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;

/** Authenticate: the bearer credential becomes a principal; 401, or 503 when an identity back end cannot answer. */
final class Authenticate implements Step {

    private final Tracer tracer;

    Authenticate(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        Tracing.describe(call.span, call.info, call.req.authority());
        Span authSpan = tracer.spanBuilder("kubegate.authenticate").setParent(Context.current().with(call.span)).startSpan();
        Promise<Outcome> outcome = Promise.promise();
        call.runtime.authenticators().authenticate(AuthenticatorChain.bearerToken(call.req.getHeader(HttpHeaders.AUTHORIZATION)))
                .subscribe().with(
                        principal -> call.onContext(() -> {
                            authSpan.setAttribute("kubegate.principal", principal.name());
                            authSpan.end();
                            call.span.setAttribute("kubegate.principal", principal.name());
                            call.principal = principal;
                            call.record.authenticated(principal);
                            outcome.complete(Outcome.PROCEED);
                        }),
                        failure -> call.onContext(() -> {
                            authSpan.recordException(failure);
                            authSpan.setStatus(StatusCode.ERROR);
                            authSpan.end();
                            outcome.complete(Outcome.refusal(status(failure)));
                        }));
        return outcome.future();
    }

    private static Status status(Throwable failure) {
        if (failure instanceof AuthenticationException a) {
            return a.unavailable()
                    ? Status.serviceUnavailable("kubegate cannot verify credentials right now: " + Status.describe(a))
                    : Status.unauthorized("Unauthorized: " + Status.describe(a));
        }
        return Status.serviceUnavailable("kubegate cannot verify credentials right now: " + failure);
    }
}
