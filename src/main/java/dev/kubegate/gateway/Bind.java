package dev.kubegate.gateway;

import dev.kubegate.inspect.ConditionalWrite;
import dev.kubegate.inspect.InspectionException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * Bind: a write's body (the client's, as read) is made conditional on the state policy judged
 * ({@link ConditionalWrite}); 409 when it names another version, 400 when it cannot be bound.
 */
final class Bind implements Step {

    @Override
    public Future<Outcome> apply(CallContext call) {
        if (call.body == null) {
            return Outcome.proceed();
        }
        byte[] sent = call.body.getBytes();
        ConditionalWrite.Forward f;
        try {
            f = ConditionalWrite.bind(call.info, call.query, call.inspection.mediaType(), sent, call.inspection.options(),
                    call.inspection.object(), call.current);
        } catch (InspectionException e) {
            return Outcome.refuse(e.status());
        }
        if (f.contentType() != null) {
            call.upstreamHeaders.set(HttpHeaders.CONTENT_TYPE, f.contentType());
        }
        call.record.boundResourceVersion(f.boundResourceVersion());
        if (f.body() != sent) {
            call.body = Buffer.buffer(f.body());
        }
        return Outcome.proceed();
    }
}
