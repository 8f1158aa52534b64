package dev.kubegate.admin;

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
        if (admins == null) {
            abort(request, Status.forbidden("the admin API is disabled: configure kubegate.admin.tokens-file"));
            return;
        }
        Optional<TokenFile.Entry> admin = AuthenticatorChain.bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION))
                .flatMap(admins::lookup);
        if (admin.isEmpty()) {
            abort(request, Status.unauthorized("Unauthorized: send an admin token as 'Authorization: Bearer <token>'"));
            return;
        }
        request.setProperty(ADMIN, admin.get());
    }

    static void abort(ContainerRequestContext request, Status status) {
        request.abortWith(StatusResponse.of(status));
    }
}
