package dev.kubegate.gateway;

import dev.kubegate.inspect.DryRun;
import dev.kubegate.k8s.Status;
import dev.kubegate.masking.SecretValues;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * The API server refused the dry run, so the real call would get the same answer. Policy decided
 * first (without the object): what it refuses is refused whatever the API server says, and what it
 * allows (or would hold for approval) gets that answer, cleaned of values — or withheld.
 */
final class RelayDryRunRefusal implements Step {

    private static final String WHY = "dry run refused by the API server";

    private final CallEnd end;

    RelayDryRunRefusal(CallEnd end) {
        this.end = end;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        DryRun.Result refusal = call.inspection.refusal();
        if (refusal == null) {
            return Outcome.proceed();
        }
        Buffer body = cleaned(call, refusal);
        if (body == null) {
            String reason = Status.reasonFor(refusal.errorCode());
            return Outcome.refuse(new Status(refusal.errorCode(), reason,
                    "the API server refused this call in kubegate's dry run (HTTP " + refusal.errorCode() + " " + reason
                            + "); its message is withheld because the object holds values kubegate masks for you and the"
                            + " message could quote them. Check what you change against the object's schema (kubectl explain)", null));
        }
        end.relay(call, refusal.errorCode(), refusal.errorContentType(), body, WHY);
        return Outcome.relayed();
    }

    /**
     * The API server's refusal as it came when the object holds nothing the caller's answers would
     * hide; else null (an error message quotes values, or pieces of them, and a JSON patch can copy
     * one into the field it quotes), and null too when the object could not be read.
     */
    private static Buffer cleaned(CallContext call, DryRun.Result refusal) {
        ResponseMasking masking = ResponseMasking.plan(call.info, call.upgrade, call.req.getHeader(HttpHeaders.UPGRADE),
                call.decision.mask());
        boolean unknownObject = call.current == null && masking.masksAnswers()
                && ("update".equals(call.info.verb()) || "patch".equals(call.info.verb()));
        SecretValues hidden = unknownObject ? null : masking.hiddenIn(call.current);
        // The API server's messages quote pieces of the object (its JSON decoder prints the bytes
        // around an error), so a refusal about an object holding values the caller may not see is
        // never relayed, not even cleaned: a piece of a value is not the value and would pass.
        return hidden == null || !hidden.isEmpty() ? null
                : ResponseMasking.maskedError(call.info, refusal.errorContentType(), refusal.errorBody(), hidden);
    }
}
