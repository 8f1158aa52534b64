package dev.kubegate.e2e;

import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RealKubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kubectl suite against a real kube-apiserver with real RBAC: impersonation, server-side apply,
 * dry-run, discovery and watch proven against the real thing. (Logs and exec need a kubelet: they
 * run against the test double only.) Skipped only on request: {@code -Dkubegate.it.real-apiserver=false}.
 */
@DisabledIfSystemProperty(named = "kubegate.it.real-apiserver", matches = "false")
class RealApiServerKubectlIT extends KubectlContract {

    static RealKubeApiServer apiserver;
    static GatewayProcess gateway;
    static Kubectl alice;
    static Kubectl bob;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kubegate-real-apiserver");
        apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString(),
                "kubegate.identity.static.tokens-file", tokensFile(dir).toString()));
        gateway.awaitReady();
        alice = new Kubectl(gateway.kubeconfig(dir.resolve("alice.kubeconfig"), ALICE_TOKEN));
        bob = new Kubectl(gateway.kubeconfig(dir.resolve("bob.kubeconfig"), BOB_TOKEN));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (apiserver != null) apiserver.close();
    }

    @Override
    GatewayProcess gateway() {
        return gateway;
    }

    @Override
    Kubectl alice() {
        return alice;
    }

    @Test
    void theClusterSeesTheImpersonatedAgentAndItsRbacApplies() {
        Kubectl.Result denied = bob.run("-n", "default", "create", "configmap", "nope", "--from-literal=a=b");
        assertThat(denied.exitCode()).isNotZero();
        // The API server's own RBAC message names the impersonated agent, not the gateway.
        assertThat(denied.stderr()).contains("User \"kubegate:bob\" cannot create resource \"configmaps\"");
        assertThat(ok(bob, "-n", "default", "get", "configmaps", "-o", "name")).doesNotContain("nope");
        Kubectl.Result canI = bob.run("auth", "can-i", "create", "configmaps");
        assertThat(canI.exitCode()).isEqualTo(1); // kubectl's exit code for "no"
        assertThat(canI.stdout().strip()).isEqualTo("no");
    }

    @Test
    void aClientCannotImpersonateSomeoneElseThroughTheGateway() {
        // kubectl --as sends Impersonate-User; kubegate drops it and impersonates the caller instead.
        Kubectl.Result r = bob.run("--as", "system:admin", "--as-group", "system:masters",
                "-n", "default", "create", "configmap", "escalated", "--from-literal=a=b");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("User \"kubegate:bob\"");
    }
}
