package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * kubegate's own admin API ({@code /kubegate/v1}) as the CLI calls it: a Quarkus REST Client
 * interface, built per command by {@link GatewayClient} with the server and CA the user gives
 * (so programmatically, not injected). Every method answers the raw {@link Response}: errors are
 * Kubernetes {@code Status} bodies the CLI shows as they are. {@code authorization} is the whole
 * header value ({@code Bearer <token>}).
 */
@Path("/kubegate/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface KubegateApi {

    /** Exchanges an agent credential for a session token (an ExecCredential). */
    @POST
    @Path("/sessions")
    Response issueSession(@HeaderParam("Authorization") String authorization, JsonNode request);

    /** The session of the presented session token. */
    @GET
    @Path("/oidc")
    Response oidcSettings();

    @GET
    @Path("/sessions/current")
    Response currentSession(@HeaderParam("Authorization") String authorization);

    @GET
    @Path("/sessions")
    Response sessions(@HeaderParam("Authorization") String authorization);

    @DELETE
    @Path("/sessions/{id}")
    Response revokeSession(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    /** Approval requests; {@code status} null for all. */
    @GET
    @Path("/approvals")
    Response approvals(@HeaderParam("Authorization") String authorization, @QueryParam("status") String status);

    /** One approval request. */
    @GET
    @Path("/approvals/{id}")
    Response approval(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    /** The full diff and change summary of one approval request. */
    @GET
    @Path("/approvals/{id}/diff")
    Response approvalDiff(@HeaderParam("Authorization") String authorization, @PathParam("id") String id);

    /** {@code action}: approve or deny. */
    @POST
    @Path("/approvals/{id}/{action}")
    Response decide(@HeaderParam("Authorization") String authorization, @PathParam("id") String id,
                    @PathParam("action") String action, JsonNode decision);
}
