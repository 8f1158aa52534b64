package dev.kubegate.gateway;

import dev.kubegate.k8s.InvalidRequestException;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import io.vertx.core.Future;

/** Classify: the API server's {@link RequestInfo} of the call; anything it could read differently is 400. */
final class Classify implements Step {

    @Override
    public Future<Outcome> apply(CallContext call) {
        String uri = call.req.uri();
        int q = uri.indexOf('?');
        try {
            // Parsed once: classification and the policy input read the same decoded query.
            call.query = QueryParams.parse(q < 0 ? null : uri.substring(q + 1));
            call.info = RequestInfoParser.parseWithQuery(call.req.method().name(), q < 0 ? uri : uri.substring(0, q),
                    call.query, call.upgrade);
        } catch (InvalidRequestException e) {
            return Outcome.refuse(Status.badRequest(e.getMessage()));
        }
        call.routing.put(RequestInfo.class.getName(), call.info);
        call.record.classified(call.info, call.query);
        return Outcome.proceed();
    }
}
