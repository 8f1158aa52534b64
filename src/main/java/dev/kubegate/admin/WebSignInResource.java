package dev.kubegate.admin;

import dev.kubegate.approval.ApprovalException;
import dev.kubegate.approval.ApprovalLinks;
import dev.kubegate.approval.oidc.OidcApprovers;
import dev.kubegate.approval.oidc.OidcProvider;
import dev.kubegate.approval.oidc.WebSessions;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.k8s.Status;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The approvals page's sign-in with the OIDC issuer: authorization code with PKCE (S256), state and
 * nonce. {@code GET /kubegate/v1/oidc/login} sends the browser to the issuer;
 * {@code GET /kubegate/v1/oidc/callback} checks the state against the browser's own short-lived
 * cookie and the stored sign-in (used once), redeems the code with kubegate's client secret and the
 * PKCE verifier, verifies the ID token (signature, issuer, audience = client id, expiry, nonce) and
 * sets the session cookie {@value #SESSION_COOKIE}: {@code HttpOnly; Secure; SameSite=Strict; Path=/},
 * lifetime {@code kubegate.approvers.oidc.session-ttl}. The page reads
 * {@code GET /kubegate/v1/oidc/session} (name, groups, CSRF token) and signs out with
 * {@code POST /kubegate/v1/oidc/logout} (CSRF token required). The redirect address is built from
 * the configured public address only, never from the request.
 */
@Path("/kubegate/v1/oidc")
@Produces(MediaType.APPLICATION_JSON)
public class WebSignInResource {

    public static final String SESSION_COOKIE = "__Host-kubegate-session";
    static final String STATE_COOKIE = "__Host-kubegate-signin";
    public static final String CSRF_HEADER = "X-Kubegate-CSRF";

    @Inject
    OidcApprovers oidc;

    @Inject
    WebSessions sessions;

    @Inject
    ApprovalLinks links;

    @Inject
    KubegateConfig config;

    @GET
    @Path("/login")
    @SelfAuthenticated
    public Uni<Response> login() {
        OidcProvider p = oidc.provider().orElse(null);
        Status off = unusable(p);
        if (off != null) {
            return Uni.createFrom().item(StatusResponse.of(off));
        }
        return sessions.startLogin().map(l -> {
            KubegateConfig.Approvers.Oidc c = config.approvers().oidc();
            String to = p.authorizationEndpoint() + (p.authorizationEndpoint().getQuery() == null ? "?" : "&")
                    + "response_type=code&client_id=" + enc(c.clientId().orElseThrow())
                    + "&redirect_uri=" + enc(callback()) + "&scope=" + enc(String.join(" ", c.scopes()))
                    + "&state=" + enc(l.state()) + "&nonce=" + enc(l.nonce())
                    + "&code_challenge=" + enc(WebSessions.challenge(l.verifier())) + "&code_challenge_method=S256";
            // Lax, not Strict: it must come back with the issuer's (cross-site) redirect to the callback.
            return Response.status(302).location(URI.create(to))
                    .header("Set-Cookie", STATE_COOKIE + "=" + l.state() + "; Path=/; Max-Age=" + WebSessions.LOGIN_TTL.toSeconds()
                            + "; HttpOnly; Secure; SameSite=Lax")
                    .header("Cache-Control", "no-store").build();
        }).onFailure().recoverWithItem(e -> StatusResponse.of(Status.serviceUnavailable(
                "kubegate cannot start a sign-in right now: " + Status.describe(e))));
    }

    @GET
    @Path("/callback")
    @SelfAuthenticated
    public Uni<Response> callback(@QueryParam("code") String code, @QueryParam("state") String state,
                                  @QueryParam("error") String error, @QueryParam("error_description") String errorDescription,
                                  @CookieParam(STATE_COOKIE) String browserState) {
        OidcProvider p = oidc.provider().orElse(null);
        Status off = unusable(p);
        if (off != null) {
            return Uni.createFrom().item(StatusResponse.of(off));
        }
        if (error != null) {
            return Uni.createFrom().item(StatusResponse.of(Status.unauthorized("the sign-in was refused by the issuer: " + error
                    + (errorDescription == null ? "" : " (" + errorDescription + ")"))));
        }
        // The browser that started the sign-in must be the one finishing it (login CSRF).
        if (code == null || state == null || browserState == null || !browserState.equals(state)) {
            return Uni.createFrom().item(StatusResponse.of(Status.forbidden(
                    "this sign-in was not started from this browser (state mismatch): start again from the approvals page")));
        }
        return sessions.finishLogin(state).flatMap(l -> {
            if (l.isEmpty()) {
                throw new ApprovalException(Status.forbidden("this sign-in expired or was already used: start again from the approvals page"));
            }
            return oidc.redeem(code, callback(), l.get().verifier(), l.get().nonce());
        }).flatMap(signedIn -> sessions.open(signedIn.person(), signedIn.idToken(), null)
                .map(cookie -> Response.status(303).location(URI.create("/kubegate/ui/"))
                        .header("Set-Cookie", SESSION_COOKIE + "=" + cookie + "; Path=/; Max-Age="
                                + config.approvers().oidc().sessionTtl().toSeconds()
                                + "; HttpOnly; Secure; SameSite=Strict")
                        .header("Set-Cookie", STATE_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
                        .header("Cache-Control", "no-store").build()))
                .onFailure().recoverWithItem(e -> StatusResponse.of(e instanceof ApprovalException a ? a.status()
                        : Status.serviceUnavailable("the sign-in could not be completed: " + Status.describe(e))));
    }

    /** Who is signed in through the cookie, and the CSRF token the page must send on every change. */
    @GET
    @Path("/session")
    @SelfAuthenticated
    public Uni<Response> session(@CookieParam(SESSION_COOKIE) String cookie) {
        if (!oidc.configured()) {
            return Uni.createFrom().item(StatusResponse.of(Status.notFound("OIDC sign-in is off on this kubegate")));
        }
        return sessions.find(cookie).map(s -> {
            if (s.isEmpty()) {
                return StatusResponse.of(Status.unauthorized("not signed in"));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", "WebSession");
            out.put("name", s.get().person().name());
            out.put("groups", s.get().person().groups());
            out.put("csrfToken", s.get().csrf());
            out.put("expiresAt", String.valueOf(s.get().expiresAt()));
            return Response.ok(out).header("Cache-Control", "no-store").build();
        }).onFailure().recoverWithItem(e -> StatusResponse.of(Status.serviceUnavailable("cannot read the session: " + Status.describe(e))));
    }

    @POST
    @Path("/logout")
    @SelfAuthenticated
    public Uni<Response> logout(@CookieParam(SESSION_COOKIE) String cookie, @HeaderParam(CSRF_HEADER) String csrf) {
        return sessions.find(cookie).flatMap(s -> {
            if (s.isEmpty()) {
                return Uni.createFrom().item(StatusResponse.of(Status.unauthorized("not signed in")));
            }
            if (!WebSessions.csrfMatches(s.get(), csrf)) {
                return Uni.createFrom().item(StatusResponse.of(csrfRefused()));
            }
            return sessions.close(cookie).map(x -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("kind", "SignedOut");
                oidc.provider().map(OidcProvider::endSessionEndpoint).ifPresent(end -> out.put("endSession", end
                        + (end.getQuery() == null ? "?" : "&") + "client_id=" + enc(config.approvers().oidc().clientId().orElseThrow())
                        + (s.get().idToken() == null ? "" : "&id_token_hint=" + enc(s.get().idToken()))
                        + links.base().map(b -> "&post_logout_redirect_uri=" + enc(b + "/kubegate/ui/")).orElse("")));
                return Response.ok(out).header("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
                        .header("Cache-Control", "no-store").build();
            });
        }).onFailure().recoverWithItem(e -> StatusResponse.of(Status.serviceUnavailable("cannot sign out right now: " + Status.describe(e))));
    }

    static Status csrfRefused() {
        return Status.forbidden("refused: a change through the sign-in cookie must carry the page's " + CSRF_HEADER
                + " header (a cross-site request cannot)");
    }

    private Status unusable(OidcProvider p) {
        if (!oidc.configured()) {
            return Status.notFound("OIDC sign-in is off on this kubegate (kubegate.approvers.oidc.issuer is not set)");
        }
        if (p == null || oidc.problem() != null) {
            return Status.serviceUnavailable("kubegate cannot use its OIDC issuer right now: " + oidc.problem());
        }
        if (config.approvers().oidc().clientSecretFile().isEmpty() || p.authorizationEndpoint() == null) {
            return Status.notFound("the approvals page cannot sign in with OIDC: kubegate.approvers.oidc.client-secret-file is not set");
        }
        if (links.base().isEmpty()) {
            return Status.notFound("the approvals page cannot sign in with OIDC: kubegate has no public address for the issuer to "
                    + "send you back to (kubegate.approval.public-url)");
        }
        return null;
    }

    private String callback() {
        return links.base().orElseThrow() + "/kubegate/v1/oidc/callback";
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }
}
