package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import io.vertx.core.Future;

/** Serving? A replica starting or stopping has no runtime and refuses with 503. */
final class Serving implements Step {

    private final GatewayRuntime runtime;

    Serving(GatewayRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        call.runtime = runtime.current();
        return call.runtime != null ? Outcome.proceed()
                : Outcome.refuse(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly"));
    }
}
