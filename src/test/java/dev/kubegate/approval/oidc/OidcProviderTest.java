package dev.kubegate.approval.oidc;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OidcProviderTest {

    static final String ISSUER = "https://id.example.com/realms/corp";

    @Test
    void readsTheEndpointsOfTheConfiguredIssuer() {
        OidcProvider p = OidcProvider.parse(ISSUER, "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"" + ISSUER + "/certs\","
                + "\"authorization_endpoint\":\"" + ISSUER + "/auth\",\"token_endpoint\":\"" + ISSUER + "/token\","
                + "\"device_authorization_endpoint\":\"" + ISSUER + "/device\"}");
        assertThat(p.jwksUri()).isEqualTo(URI.create(ISSUER + "/certs"));
        assertThat(p.deviceAuthorizationEndpoint()).isEqualTo(URI.create(ISSUER + "/device"));
        assertThat(p.endSessionEndpoint()).isNull();
        assertThat(OidcProvider.discoveryUri(ISSUER + "/")).isEqualTo(URI.create(ISSUER + "/.well-known/openid-configuration"));
    }

    @Test
    void refusesADocumentOfAnotherIssuerOrWithClearTextEndpoints() {
        assertThatThrownBy(() -> OidcProvider.parse(ISSUER, "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"https://evil.example/k\","
                + "\"token_endpoint\":\"https://evil.example/t\"}")).hasMessageContaining("is for issuer \"https://evil.example\"");
        assertThatThrownBy(() -> OidcProvider.parse(ISSUER, "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"http://id.example.com/k\","
                + "\"token_endpoint\":\"" + ISSUER + "/t\"}")).hasMessageContaining("neither https nor on this machine");
        assertThatThrownBy(() -> OidcProvider.parse(ISSUER, "{\"issuer\":\"" + ISSUER + "\",\"token_endpoint\":\"" + ISSUER + "/t\"}"))
                .hasMessageContaining("no jwks_uri");
        assertThatThrownBy(() -> OidcProvider.parse(ISSUER, "<html>")).hasMessageContaining("not JSON");
        assertThat(OidcProvider.secure(URI.create("http://127.0.0.1:8080/realms/x"))).isTrue();
        assertThat(OidcProvider.secure(URI.create("http://10.0.0.1/realms/x"))).isFalse();
    }

    /** RFC 7636, appendix B. */
    @Test
    void pkceChallengeIsS256OfTheVerifier() {
        assertThat(WebSessions.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assertThat(WebSessions.random()).hasSize(43).isNotEqualTo(WebSessions.random());
    }
}
