package dev.kubegate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.inspect.Inspection;
import dev.kubegate.inspect.InspectionException;
import dev.kubegate.k8s.Status;
import dev.kubegate.masking.PodSecrets;
import dev.kubegate.policy.PolicyInput;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;

import java.util.Map;

/**
 * Inspect: the body policy must see and the options the API server will apply, in parallel with the
 * object as it is now (update, patch, delete) and the token Secrets a written pod spec uses.
 * 400/413/415 when the body cannot be read, 503 when what policy needs cannot be read.
 */
final class Inspect implements Step {

    private final Tracer tracer;
    private final KnownValueResolver knownValues;
    private final long maxBodyBytes;

    Inspect(Tracer tracer, KnownValueResolver knownValues, long maxBodyBytes) {
        this.tracer = tracer;
        this.knownValues = knownValues;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public Future<Outcome> apply(CallContext call) {
        call.policySpan = tracer.spanBuilder("kubegate.policy").setParent(Context.current().with(call.span)).startSpan();
        Future<Inspection> inspected = body(call);
        Future<JsonNode> current = Inspection.needsOldObject(call.info, call.upgrade)
                ? call.runtime.dryRun().current(call.req.path(), call.upstreamHeaders)
                : Future.succeededFuture(null);
        Future<Map<String, String>> tokenSecrets = inspected.compose(i -> tokenSecrets(call, i));
        return Future.all(inspected, current, tokenSecrets).transform(ar -> {
            if (ar.failed()) {
                call.policySpan.recordException(ar.cause());
                call.policySpan.end();
                return Outcome.refuse(ar.cause() instanceof InspectionException ie ? ie.status()
                        : Status.internalError("kubegate could not read the request: " + Status.describe(ar.cause())));
            }
            call.inspection = inspected.result();
            call.current = current.result();
            call.tokenSecrets = tokenSecrets.result();
            call.record.requestObject(call.inspection.object());
            call.record.currentObject(call.current);
            call.record.options(call.inspection.options());
            return Outcome.proceed();
        });
    }

    private Future<Inspection> body(CallContext call) {
        try {
            return Inspection.needsBody(call.info, call.upgrade)
                    ? Inspection.inspect(call.req, call.info, call.query, call.upstreamHeaders, maxBodyBytes, call.runtime.dryRun())
                    : Future.succeededFuture(Inspection.withoutBody(call.info, call.query));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * The Secrets of type service-account-token that a written pod spec mounts or reads env from,
     * with their accounts: policy holds a pod that would borrow an account that way. Read with
     * kubegate's own identity (the agent may not read Secrets), only when kubegate reads Secrets
     * for masking ({@code kubegate.masking.known-values}); a failed read refuses the call (503).
     */
    private Future<Map<String, String>> tokenSecrets(CallContext call, Inspection inspection) {
        JsonNode object = inspection.object();
        String path = object == null ? null
                : PolicyInput.podSpecPath(call.info.apiGroup(), call.info.resource(), call.info.subresource()).orElse(null);
        if (path == null || !knownValues.enabled()) {
            return Future.succeededFuture(Map.of());
        }
        JsonNode spec = object;
        for (String step : path.split("\\.")) {
            spec = spec.path(step);
        }
        String namespace = call.info.namespace().isEmpty() ? object.path("metadata").path("namespace").asText("") : call.info.namespace();
        return knownValues.tokenSecrets(call.runtime.upstream(), namespace, PodSecrets.referencedBySpec(spec))
                .recover(e -> Future.failedFuture(new InspectionException(Status.serviceUnavailable(
                        "kubegate checks whether the Secrets this pod spec uses hold service-account tokens and could not read them ("
                                + Status.describe(e) + "), so the call is refused"))));
    }
}
