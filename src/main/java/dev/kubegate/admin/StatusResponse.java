package dev.kubegate.admin;

import dev.kubegate.k8s.Status;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A {@link Status} as a JAX-RS answer of the admin API, with {@code Retry-After} when the status
 * advises a retry (429, 503) — the same head {@code KubeApiGateway} writes, so clients treat both alike.
 */
final class StatusResponse {

    private StatusResponse() {
    }

    static Response of(Status s) {
        Response.ResponseBuilder b = Response.status(s.code()).type(MediaType.APPLICATION_JSON).entity(s.toJson());
        String retryAfter = s.retryAfterHeader();
        if (retryAfter != null) {
            b.header("Retry-After", retryAfter);
        }
        return b.build();
    }
}
