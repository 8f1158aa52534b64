package dev.kubegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.identity.session.Sessions;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Suspension (contract, admins): {@code POST /kubegate/v1/identities/{name}/suspend} revokes the
 * principal's sessions and refuses new ones on every replica; {@code .../resume} lifts it (revoked
 * sessions stay revoked). {@code GET /kubegate/v1/identities/suspended} lists suspensions.
 * {@code name} is the principal name as policy sees it (after identity mapping).
 */
@Path("/kubegate/v1/identities")
@Produces(MediaType.APPLICATION_JSON)
public class IdentitiesResource {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._:+=,-]{0,252}");

    @Inject
    Sessions sessions;

    @POST
    @Path("{name}/suspend")
    public Uni<Response> suspend(@PathParam("name") String name, @Context ContainerRequestContext request, byte[] body) {
        Sessions.Started s = sessions.current();
        if (s == null) return unavailable();
        if (!NAME.matcher(name).matches()) return bad("not a principal name: " + name);
        String reason = null;
        if (body != null && body.length > 0) {
            if (body.length > 4096) {
                return Uni.createFrom().item(SessionsResource.status(Status.tooLarge("the suspension request is larger than 4096 bytes")));
            }
            try {
                JsonNode n = SessionsResource.JSON.readTree(body);
                if (!n.isObject() || (n.has("reason") && !n.get("reason").isTextual()) || n.size() > (n.has("reason") ? 1 : 0)) {
                    return bad("the body must be {\"reason\": \"...\"} or empty");
                }
                reason = n.has("reason") ? n.get("reason").asText() : null;
            } catch (Exception e) {
                return bad("the body is not valid JSON");
            }
        }
        String actor = admin(request);
        return s.service().suspend(name, actor, reason).map(n -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("suspended", true);
            out.put("sessionsRevoked", n);
            return SessionsResource.json(200, out);
        }).onFailure().recoverWithItem(SessionsResource::refusal);
    }

    @POST
    @Path("{name}/resume")
    public Uni<Response> resume(@PathParam("name") String name, @Context ContainerRequestContext request) {
        Sessions.Started s = sessions.current();
        if (s == null) return unavailable();
        if (!NAME.matcher(name).matches()) return bad("not a principal name: " + name);
        return s.service().resume(name, admin(request)).map(was -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", name);
            out.put("suspended", false);
            out.put("wasSuspended", was);
            return SessionsResource.json(200, out);
        }).onFailure().recoverWithItem(SessionsResource::refusal);
    }

    @GET
    @Path("suspended")
    public Uni<Response> suspended() {
        Sessions.Started s = sessions.current();
        if (s == null) return unavailable();
        return s.service().suspended().map(list -> SessionsResource.json(200, Map.of("kind", "SuspensionList", "items", list)))
                .onFailure().recoverWithItem(SessionsResource::refusal);
    }

    private static String admin(ContainerRequestContext request) {
        return ((TokenFile.Entry) request.getProperty(AdminAuthentication.ADMIN)).name();
    }

    private static Uni<Response> unavailable() {
        return Uni.createFrom().item(SessionsResource.status(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly")));
    }

    private static Uni<Response> bad(String message) {
        return Uni.createFrom().item(SessionsResource.status(Status.badRequest(message)));
    }
}
