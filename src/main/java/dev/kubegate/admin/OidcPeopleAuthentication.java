package dev.kubegate.admin;

import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.oidc.OidcApprovers;
import dev.kubegate.approval.oidc.WebSessions;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The OIDC half of the humans' realm on {@code /kubegate/v1}: a bearer token that the approvers'
 * issuer claims to have issued is verified here (asynchronously: the first check of a token may
 * fetch the issuer's keys) before {@link AdminAuthentication} runs; the verified person is left in
 * {@link #PERSON}. A token of that issuer that fails verification is refused with the reason — it
 * is never tried as anything else.
 */
public class OidcPeopleAuthentication {

    /** Request property holding the {@link dev.kubegate.approval.Approver} an OIDC token proved. */
    public static final String PERSON = "kubegate.admin.oidc";

    @Inject
    OidcApprovers oidc;

    @Inject
    WebSessions sessions;

    /**
     * The web page's session cookie. It is {@code SameSite=Strict}, and on top of that every
     * state-changing call must echo the session's CSRF token in {@value WebSignInResource#CSRF_HEADER}.
     */
    private Uni<Response> fromCookie(ContainerRequestContext request, String value) {
        boolean safe = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        return sessions.find(value).map(s -> {
            if (s.isEmpty()) {
                return StatusResponse.of(Status.unauthorized("your sign-in has ended: sign in again"));
            }
            if (!safe && !WebSessions.csrfMatches(s.get(), request.getHeaderString(WebSignInResource.CSRF_HEADER))) {
                return StatusResponse.of(WebSignInResource.csrfRefused());
            }
            request.setProperty(PERSON, s.get().person());
            return (Response) null;
        }).onFailure().recoverWithItem(e -> StatusResponse.of(Status.serviceUnavailable("kubegate cannot read your sign-in right now: "
                + Status.describe(e))));
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 1)
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        if (!oidc.configured() || resource.getResourceMethod() == null
                || resource.getResourceMethod().isAnnotationPresent(SelfAuthenticated.class)
                || resource.getResourceMethod().isAnnotationPresent(AgentRealm.class)) {
            return Uni.createFrom().nullItem();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        Cookie cookie = request.getCookies().get(WebSignInResource.SESSION_COOKIE);
        if (header == null && cookie != null) {
            return fromCookie(request, cookie.getValue());
        }
        String token = AuthenticatorChain.bearerToken(header).orElse(null);
        if (token == null || !oidc.claims(token)) {
            return Uni.createFrom().nullItem();
        }
        return oidc.authenticate(token).map(found -> {
            if (found.isEmpty()) {
                return StatusResponse.of(Status.unauthorized("the OIDC token is not accepted"));
            }
            request.setProperty(PERSON, found.get());
            return (Response) null;
        }).onFailure().recoverWithItem(e -> StatusResponse.of(e instanceof ApprovalException a ? a.status()
                : Status.serviceUnavailable("kubegate cannot verify the OIDC token right now: " + Status.describe(e))));
    }
}
