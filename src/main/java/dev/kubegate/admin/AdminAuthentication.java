package dev.kubegate.admin;

import dev.kubegate.approval.AdminTokenApprovers;
import dev.kubegate.approval.Approver;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.identity.AuthenticatorChain;
import dev.kubegate.identity.AdminTokens;
import dev.kubegate.identity.TokenFile;
import dev.kubegate.k8s.Status;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import java.util.List;
import java.util.Optional;

/**
 * Humans (approvers, admins) authenticate to {@code /kubegate/v1} with their own tokens
 * ({@code kubegate.admin.tokens-file}), a realm separate from agents': an agent token never opens the
 * admin API. Without a configured file the admin API refuses everyone (fail closed).
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class AdminAuthentication implements ContainerRequestFilter {

    /** Request property holding the authenticated admin's {@link TokenFile.Entry}. */
    public static final String ADMIN = "kubegate.admin";

    /** Request property holding the same person as an {@link Approver}, with the realm that vouched for them. */
    public static final String APPROVER = "kubegate.approver";

    @Inject
    KubegateConfig config;

    @Inject
    AdminTokens adminTokens;

    @Context
    ResourceInfo resource;


    @Override
    public void filter(ContainerRequestContext request) {
        TokenFile admins = adminTokens.tokens().orElse(null);
        if (resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(SelfAuthenticated.class)) {
            return; // signed by someone else (Slack): the method verifies it
        }
        if (resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(AgentRealm.class)) {
            // Agents call this with their own credentials; the method checks them. An admin token still counts.
            if (admins != null) {
                AuthenticatorChain.bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                        .flatMap(admins::lookup).ifPresent(a -> request.setProperty(ADMIN, a));
            }
            return;
        }
        if (request.getProperty(OidcPeopleAuthentication.PERSON) instanceof Approver person) {
            admitOidcPerson(request, person);
            return;
        }
        if (admins == null) {
            abort(request, Status.forbidden("the admin API is disabled: configure kubegate.admin.tokens-file"
                    + " (or kubegate.approvers.oidc.issuer, then sign in with OIDC)"));
            return;
        }
        Optional<TokenFile.Entry> admin = AuthenticatorChain.bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .flatMap(admins::lookup);
        if (admin.isEmpty()) {
            abort(request, Status.unauthorized("Unauthorized: send an admin token as 'Authorization: Bearer <token>'"));
            return;
        }
        request.setProperty(ADMIN, admin.get());
        request.setProperty(APPROVER, AdminTokenApprovers.approver(admin.get()));
    }

    /**
     * An OIDC-verified person may use the approvals API; the rest of the admin API (sessions,
     * identities, audit, status) only when in one of {@code kubegate.approvers.oidc.admin-groups}.
     */
    private void admitOidcPerson(ContainerRequestContext request, Approver person) {
        List<String> adminGroups = config.approvers().oidc().adminGroups().orElse(List.of());
        boolean approvals = resource.getResourceClass() != null && resource.getResourceClass().equals(ApprovalsResource.class);
        if (!approvals && person.groups().stream().noneMatch(adminGroups::contains)) {
            abort(request, Status.forbidden("\"" + person.name() + "\" may use only the approvals API: the rest of the admin API needs"
                    + (adminGroups.isEmpty() ? " an admin token (no kubegate.approvers.oidc.admin-groups are configured)"
                    : " membership of " + String.join(" or ", adminGroups))));
            return;
        }
        request.setProperty(ADMIN, new TokenFile.Entry(person.name(), person.identities().isEmpty() ? person.name()
                : person.identities().get(0), person.groups()));
        request.setProperty(APPROVER, person);
    }

    static void abort(ContainerRequestContext request, Status status) {
        request.abortWith(StatusResponse.of(status));
    }
}
