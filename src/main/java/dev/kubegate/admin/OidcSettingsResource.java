package dev.kubegate.admin;

import dev.kubegate.approval.oidc.OidcApprovers;
import dev.kubegate.approval.oidc.OidcProvider;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.Status;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /kubegate/v1/oidc}: where people sign in — the issuer, the CLI's public client and its
 * scopes, the device-authorization and token endpoints — so {@code kubegate approvals --oidc} needs
 * only the server's address. Public (it holds no secret: the same facts the issuer publishes).
 */
@Path("/kubegate/v1/oidc")
public class OidcSettingsResource {

    @Inject
    OidcApprovers oidc;

    @Inject
    KubegateConfig config;

    @GET
    @SelfAuthenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Response settings() {
        KubegateConfig.Approvers.Oidc c = config.approvers().oidc();
        if (!oidc.configured()) {
            return StatusResponse.of(Status.notFound("OIDC sign-in is off on this kubegate (kubegate.approvers.oidc.issuer is not set)"));
        }
        OidcProvider p = oidc.provider().orElse(null);
        if (p == null) {
            return StatusResponse.of(Status.serviceUnavailable("kubegate cannot use its OIDC issuer right now: " + oidc.problem()));
        }
        if (c.cliClientId().isEmpty() || p.deviceAuthorizationEndpoint() == null) {
            return StatusResponse.of(Status.notFound(c.cliClientId().isEmpty()
                    ? "the CLI cannot sign in with OIDC here: kubegate.approvers.oidc.cli-client-id is not set"
                    : "the issuer " + p.issuer() + " offers no device authorization endpoint"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "OidcSettings");
        out.put("issuer", p.issuer());
        out.put("clientId", c.cliClientId().get());
        out.put("scopes", c.scopes());
        out.put("deviceAuthorizationEndpoint", p.deviceAuthorizationEndpoint().toString());
        out.put("tokenEndpoint", p.tokenEndpoint().toString());
        return Response.ok(out).type(MediaType.APPLICATION_JSON).build();
    }
}
