package dev.kubegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.ApprovalRecords;
import dev.kubegate.approval.ApprovalRequest;
import dev.kubegate.approval.ApprovalService;
import dev.kubegate.approval.Approver;
import dev.kubegate.k8s.Status;
import dev.kubegate.store.StateStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Approvers' API (contract): {@code GET /kubegate/v1/approvals[?status=pending]},
 * {@code GET /kubegate/v1/approvals/{id}}, {@code GET /kubegate/v1/approvals/{id}/diff} (every change, whole; fetching
 * it is what lets an approver approve a request whose own diff is cut), {@code POST /kubegate/v1/approvals/{id}/approve} and
 * {@code .../deny} with {@code {"reason": "..."}} (required to deny), and
 * {@code GET /kubegate/v1/approvals/events}: Server-Sent Events naming each request that changed, on
 * any replica. Authenticated by {@link AdminAuthentication} (the humans' realm); every error is a Status.
 */
@Path("/kubegate/v1/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalsResource {

    private static final Pattern ID = Pattern.compile("ap-[a-z0-9]{10}");
    private static final Set<String> STATUSES = Set.of(ApprovalRequest.PENDING, ApprovalRequest.APPROVED,
            ApprovalRequest.DENIED, ApprovalRequest.EXPIRED, ApprovalRequest.USED);
    private static final int MAX_BODY = 16 * 1024;

    @Inject
    ApprovalService approvals;

    @Inject
    StateStore store;

    @Inject
    ObjectMapper json;

    @GET
    public Uni<Response> list(@QueryParam("status") String status) {
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            return Uni.createFrom().item(error(Status.badRequest("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList())
                    + ", not \"" + status + "\"")));
        }
        return approvals.list(Optional.ofNullable(status).filter(s -> !s.isEmpty()))
                .map(items -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("kind", "ApprovalList");
                    out.put("items", items);
                    return Response.ok(out).build();
                })
                .onFailure().recoverWithItem(ApprovalsResource::failure);
    }

    @GET
    @Path("/{id}")
    public Uni<Response> get(@PathParam("id") String id) {
        if (!ID.matcher(id).matches()) {
            return Uni.createFrom().item(error(notFound(id)));
        }
        return approvals.get(id)
                .map(r -> r.map(x -> Response.ok(x).build()).orElseGet(() -> error(notFound(id))))
                .onFailure().recoverWithItem(ApprovalsResource::failure);
    }

    @GET
    @Path("/{id}/diff")
    public Uni<Response> diff(@PathParam("id") String id, @Context ContainerRequestContext request) {
        if (!ID.matcher(id).matches()) {
            return Uni.createFrom().item(error(notFound(id)));
        }
        Approver approver = (Approver) request.getProperty(AdminAuthentication.APPROVER);
        return approvals.fullDiff(id, approver)
                .map(v -> Response.ok(Map.of("kind", "ApprovalDiff", "id", v.id(), "total", v.total(), "shownTruncated", v.shownTruncated(),
                        "summary", v.summary(), "changes", v.entries())).build())
                .onFailure().recoverWithItem(ApprovalsResource::failure);
    }

    @POST
    @Path("/{id}/approve")
    public Uni<Response> approve(@PathParam("id") String id, String body, @Context ContainerRequestContext request) {
        return decide(id, body, request, true);
    }

    @POST
    @Path("/{id}/deny")
    public Uni<Response> deny(@PathParam("id") String id, String body, @Context ContainerRequestContext request) {
        return decide(id, body, request, false);
    }

    /**
     * A change feed for the web page: one event per changed request ({@code {"id": "...", "version": n}}),
     * and {@code {"resync": true}} when the store's feed reconnected. A comment-free heartbeat every
     * 15 s keeps proxies from closing an idle stream.
     */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<Map<String, Object>> events() {
        Multi<Map<String, Object>> changes = Multi.createFrom().emitter(em -> {
            AutoCloseable sub = store.subscribe(change -> {
                if (change.resync()) {
                    em.emit(Map.of("resync", true));
                } else if (ApprovalRecords.KIND.equals(change.kind())) {
                    em.emit(Map.of("id", change.id(), "version", change.version()));
                }
            });
            em.onTermination(() -> {
                try {
                    sub.close();
                } catch (Exception ignored) {
                    // unsubscribing cannot fail in a way that matters to a closed stream
                }
            });
        });
        Multi<Map<String, Object>> heartbeat = Multi.createFrom().ticks().every(Duration.ofSeconds(15))
                .map(t -> Map.of("heartbeat", true));
        return Multi.createBy().merging().streams(Multi.createFrom().item(Map.of("hello", true)), changes, heartbeat);
    }

    private Uni<Response> decide(String id, String body, ContainerRequestContext request, boolean approve) {
        if (!ID.matcher(id).matches()) {
            return Uni.createFrom().item(error(notFound(id)));
        }
        String reason;
        try {
            reason = reason(body);
        } catch (ApprovalException e) {
            return Uni.createFrom().item(error(e.status()));
        }
        Approver approver = (Approver) request.getProperty(AdminAuthentication.APPROVER);
        return approvals.decide(id, approver, approve, reason)
                .map(r -> Response.ok(r).build())
                .onFailure().recoverWithItem(ApprovalsResource::failure);
    }

    private String reason(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        if (body.length() > MAX_BODY) {
            throw new ApprovalException(Status.tooLarge("the request body is larger than " + MAX_BODY + " bytes"));
        }
        JsonNode n;
        try {
            n = json.readTree(body);
        } catch (Exception e) {
            throw new ApprovalException(Status.badRequest("the body must be JSON like {\"reason\": \"...\"}"));
        }
        if (n == null || !n.isObject()) {
            throw new ApprovalException(Status.badRequest("the body must be a JSON object like {\"reason\": \"...\"}"));
        }
        JsonNode r = n.get("reason");
        if (r != null && !r.isNull() && !r.isTextual()) {
            throw new ApprovalException(Status.badRequest("reason must be a string"));
        }
        return r == null || r.isNull() ? "" : r.textValue();
    }

    private static Status notFound(String id) {
        return Status.notFound("approval request \"" + id + "\" not found").withDetails(id, "approvals");
    }

    static Response failure(Throwable e) {
        if (e instanceof ApprovalException a) {
            return error(a.status());
        }
        return error(Status.serviceUnavailable("kubegate cannot reach its approval state right now: " + Status.describe(e)));
    }

    static Response error(Status s) {
        return StatusResponse.of(s);
    }

    static List<String> statuses() {
        return List.copyOf(STATUSES);
    }
}
