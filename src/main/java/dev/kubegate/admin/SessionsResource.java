package dev.kubegate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.identity.AuthenticationException;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.Principal;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.identity.session.SessionException;
import dev.kubegate.identity.session.SessionRecord;
import dev.kubegate.identity.session.SessionRequest;
import dev.kubegate.identity.session.SessionService;
import dev.kubegate.identity.session.SessionTokens;
import dev.kubegate.identity.session.Sessions;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions (contract): {@code POST /kubegate/v1/sessions} exchanges an agent credential for a
 * session token, answered as an {@code ExecCredential} (so {@code kubegate login} is a kubectl exec
 * plugin) with the session beside it; {@code DELETE /kubegate/v1/sessions/{id}} revokes (admins, or
 * the agent itself with that session's token); {@code GET /kubegate/v1/sessions} lists active
 * sessions with their counters (admins); {@code GET /kubegate/v1/sessions/current} describes the
 * session of the presented token (the login plugin's cache check). Every refusal is a Status.
 */
@Path("/kubegate/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionsResource {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Inject
    Sessions sessions;

    @POST
    @AgentRealm
    public Uni<Response> create(@Context HttpHeaders headers, byte[] body) {
        Sessions.Started s = sessions.current();
        if (s == null) {
            return Uni.createFrom().item(status(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly")));
        }
        Optional<String> credential = AuthenticatorChain.bearerToken(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (credential.isPresent() && SessionTokens.isSessionToken(credential.get())) {
            return Uni.createFrom().item(status(Status.badRequest(
                    "a session token cannot start a session: present the agent credential (AWS, service account, OIDC or static token)")));
        }
        SessionRequest request;
        try {
            request = SessionRequest.parse(body);
        } catch (SessionException e) {
            return Uni.createFrom().item(status(e.status()));
        }
        return s.agentCredentials().authenticate(credential)
                .flatMap(agent -> s.service().create(agent, credential.get(), request))
                .map(issued -> Response.status(201).type(MediaType.APPLICATION_JSON).entity(execCredential(issued)).build())
                .onFailure().recoverWithItem(SessionsResource::refusal);
    }

    @GET
    @Path("current")
    @AgentRealm
    public Uni<Response> current(@Context HttpHeaders headers) {
        Sessions.Started s = sessions.current();
        if (s == null) {
            return Uni.createFrom().item(status(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly")));
        }
        return sessionOf(s, headers).map(p -> {
            Map<String, Object> out = new LinkedHashMap<>();
            Principal.Session session = p.session().orElseThrow();
            out.put("id", session.id());
            out.put("principal", principal(p.name(), p.kind(), p.id(), p.groups()));
            out.put("labels", session.labels());
            out.put("expiresAt", session.expiresAt().toString());
            return json(200, out);
        }).onFailure().recoverWithItem(SessionsResource::refusal);
    }

    /** The principal of the presented session token (checked like any call), or a 401 failure. */
    private static Uni<Principal> sessionOf(Sessions.Started s, HttpHeaders headers) {
        Optional<String> token = AuthenticatorChain.bearerToken(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty() || !SessionTokens.isSessionToken(token.get())) {
            return Uni.createFrom().failure(AuthenticationException.invalid("send a kubegate session token as 'Authorization: Bearer <token>'"));
        }
        return s.authenticator().authenticate(token.get()).map(Optional::orElseThrow);
    }

    @DELETE
    @Path("{id}")
    @AgentRealm
    public Uni<Response> revoke(@PathParam("id") String id, @Context HttpHeaders headers, @Context ContainerRequestContext request) {
        Sessions.Started s = sessions.current();
        if (s == null) {
            return Uni.createFrom().item(status(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly")));
        }
        TokenFile.Entry admin = (TokenFile.Entry) request.getProperty(AdminAuthentication.ADMIN);
        if (admin != null) {
            return s.service().revoke(id, admin.name(), "revoked by an admin")
                    .map(r -> json(200, session(r, null)))
                    .onFailure().recoverWithItem(SessionsResource::refusal);
        }
        Optional<String> token = AuthenticatorChain.bearerToken(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty() || !SessionTokens.isSessionToken(token.get())) {
            return Uni.createFrom().item(status(Status.unauthorized(
                    "Unauthorized: send an admin token, or the session's own token, as 'Authorization: Bearer <token>'")));
        }
        return sessionOf(s, headers).flatMap(p -> {
            if (!p.session().map(x -> x.id().equals(id)).orElse(false)) {
                return Uni.createFrom().<Response>item(status(Status.forbidden("a session token may revoke only its own session")));
            }
            return s.service().revoke(id, p.name(), "revoked by its agent").map(r -> json(200, session(r, null)));
        }).onFailure().recoverWithItem(SessionsResource::refusal);
    }

    @GET
    public Uni<Response> list() {
        Sessions.Started s = sessions.current();
        if (s == null) {
            return Uni.createFrom().item(status(Status.serviceUnavailable("kubegate is starting or stopping; retry shortly")));
        }
        SessionService service = s.service();
        return service.active().flatMap(active -> {
            List<Uni<Map<String, Object>>> items = new ArrayList<>();
            for (SessionRecord r : active) {
                items.add(service.counters(r.id()).map(c -> session(r, c)));
            }
            return items.isEmpty() ? Uni.createFrom().item(List.<Map<String, Object>>of())
                    : Uni.join().all(items).andFailFast();
        }).map(items -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", "SessionList");
            out.put("items", items);
            return json(200, out);
        }).onFailure().recoverWithItem(SessionsResource::refusal);
    }

    /** The ExecCredential kubectl reads, plus the session it belongs to. */
    static Map<String, Object> execCredential(SessionService.Issued issued) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("token", issued.token());
        status.put("expirationTimestamp", issued.session().expiresAt().toString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", "client.authentication.k8s.io/v1");
        out.put("kind", "ExecCredential");
        out.put("spec", Map.of("interactive", false));
        out.put("status", status);
        out.put("session", session(issued.session(), null));
        return out;
    }

    static Map<String, Object> session(SessionRecord r, Map<String, Long> counters) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("principal", principal(r.principalName(), r.kind(), r.principalId(), r.groups()));
        out.put("labels", r.labels());
        if (r.justification() != null) out.put("justification", r.justification());
        out.put("implicit", r.implicit());
        out.put("createdAt", r.createdAt().toString());
        out.put("expiresAt", r.expiresAt().toString());
        if (r.revokedAt() != null) {
            out.put("revokedAt", r.revokedAt().toString());
            out.put("revokedBy", r.revokedBy());
        }
        if (r.lastActiveAt() != null) out.put("lastActiveAt", r.lastActiveAt().toString());
        if (counters != null) {
            Map<String, Long> c = new LinkedHashMap<>();
            for (String name : List.of("requests", "mutations", "deletes", "denied")) c.put(name, counters.getOrDefault(name, 0L));
            out.put("counters", c);
        }
        return out;
    }

    private static Map<String, Object> principal(String name, String kind, String id, List<String> groups) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("kind", kind);
        p.put("id", id);
        p.put("groups", groups);
        return p;
    }

    static Response refusal(Throwable e) {
        if (e instanceof SessionException se) {
            return status(se.status());
        }
        if (e instanceof AuthenticationException a) {
            return status(a.unavailable()
                    ? Status.serviceUnavailable("kubegate cannot verify credentials right now: " + Status.describe(a))
                    : Status.unauthorized("Unauthorized: " + Status.describe(a)));
        }
        return status(Status.internalError("kubegate failed: " + e));
    }

    static Response status(Status s) {
        return StatusResponse.of(s);
    }

    static Response json(int code, Object body) {
        try {
            return Response.status(code).type(MediaType.APPLICATION_JSON).entity(JSON.writeValueAsString(body)).build();
        } catch (Exception e) {
            return status(Status.internalError("cannot serialize the answer: " + Status.describe(e)));
        }
    }
}
