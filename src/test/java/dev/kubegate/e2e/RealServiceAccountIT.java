package dev.kubegate.e2e;

import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real service-account token (TokenRequest on a real kube-apiserver) used by kubectl through the
 * gateway: the gateway has the real API server review it, maps the service account, and the API
 * server's RBAC then judges the impersonated principal.
 */
class RealServiceAccountIT {

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.realApiServer("kubegate-real-sa")
            .setting("kubegate.identity.serviceaccount.enabled", "true")
            .file("kubegate.identity.mappings", "mappings.yaml", """
                    mappings:
                    - identity: system:serviceaccount:default:ci-bot
                      kind: serviceaccount
                      name: ci-bot
                      groups: [readonly-agents]
                    """);

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl admin;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        apiserver = kubegate.apiserver();
        gateway = kubegate.gateway();
        admin = new Kubectl(apiserver.adminKubeconfig());
        admin.run("-n", "default", "create", "serviceaccount", "ci-bot").assertSuccess();
    }


    @Test
    void aRealServiceAccountTokenIsReviewedAndImpersonated() throws Exception {
        String token = admin.run("-n", "default", "create", "token", "ci-bot", "--duration=10m").assertSuccess().stdout().strip();
        Kubectl agent = new Kubectl(gateway.kubeconfig(dir.resolve("ci-bot.kubeconfig"), token));
        // No RBAC grants kubegate:ci-bot (group readonly-agents) anything: the API server's refusal names the impersonated user.
        Kubectl.Result r = agent.run("-n", "default", "get", "configmaps");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("User \"kubegate:ci-bot\" cannot list resource \"configmaps\"");

        admin.run("create", "rolebinding", "ci-bot-view", "-n", "default", "--clusterrole=system:aggregate-to-view",
                        "--user=kubegate:ci-bot")
                .assertSuccess();
        // RBAC's cache takes a moment to see the binding
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> agent.run("-n", "default", "get", "configmaps").assertSuccess());
    }

    @Test
    void aTamperedTokenIsRefusedByTheCluster() throws Exception {
        String token = admin.run("-n", "default", "create", "token", "ci-bot", "--duration=10m").assertSuccess().stdout().strip();
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        HttpResponse<String> r = gateway.httpClient().send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .header("Authorization", "Bearer " + tampered).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("service-account token refused by the cluster");
    }
}
