package dev.kubegate.admin;

import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.oidc.OidcApprovers;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
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

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 1)
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        if (!oidc.configured() || resource.getResourceMethod() == null
                || resource.getResourceMethod().isAnnotationPresent(SelfAuthenticated.class)
                || resource.getResourceMethod().isAnnotationPresent(AgentRealm.class)) {
            return Uni.createFrom().nullItem();
        }
        String token = AuthenticatorChain.bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION)).orElse(null);
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
