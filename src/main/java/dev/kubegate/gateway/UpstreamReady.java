package dev.kubegate.gateway;

import dev.kubegate.k8s.Status;
import dev.kubegate.upstream.UpstreamHeaders;
import io.vertx.core.Future;

/**
 * Upstream credentials fresh? Never forward with a credential known to be stale: the cluster would
 * see an unknown caller (503). Then the headers the call goes upstream with, impersonating the principal.
 */
final class UpstreamReady implements Step {

    private final boolean impersonate;

    UpstreamReady(boolean impersonate) {
        this.impersonate = impersonate;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        if (!call.runtime.upstream().credentials().ready()) {
            return Outcome.refuse(Status.serviceUnavailable("kubegate cannot refresh its own credentials for the cluster ("
                    + call.runtime.upstream().describe() + "); retry shortly"));
        }
        call.upstreamHeaders = UpstreamHeaders.forRequest(call.req.headers(), Impersonations.of(call.principal), impersonate,
                call.upgrade, call.req.remoteAddress() == null ? null : call.req.remoteAddress().hostAddress());
        return Outcome.proceed();
    }
}
