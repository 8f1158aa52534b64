package dev.kubegate.e2e;

import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an agent does with kubectl through kubegate, independent of the cluster behind it. Each leg
 * (test double, real kube-apiserver) runs this same suite; subclasses add what only they can show.
 * Agent "alice" is in group {@code agents} (may do anything), "bob" only in {@code viewers}.
 */
abstract class KubectlContract {

    static final String ALICE_TOKEN = "alice-token-" + UUID.randomUUID();
    static final String BOB_TOKEN = "bob-token-" + UUID.randomUUID();

    static Path tokensFile(Path dir) throws Exception {
        Path file = dir.resolve("agents.csv");
        Files.writeString(file, ALICE_TOKEN + ",alice,alice-uid,\"agents\"\n" + BOB_TOKEN + ",bob,bob-uid,\"viewers\"\n");
        return file;
    }

    abstract GatewayProcess gateway();

    abstract Kubectl alice();

    private String ns() {
        return "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void discoveryVersionAndApiResources() {
        assertThat(alice().ok("version", "-o", "json")).contains("\"serverVersion\"");
        String resources = alice().ok("api-resources");
        assertThat(resources).contains("pods", "deployments", "namespaces", "configmaps");
        assertThat(alice().ok("api-versions")).contains("apps/v1", "v1");
    }

    @Test
    void createGetPatchDeleteLifecycle() throws Exception {
        String ns = ns();
        alice().ok("create", "namespace", ns);
        alice().ok("-n", ns, "create", "configmap", "settings", "--from-literal=mode=a");
        assertThat(alice().ok("-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("a");

        alice().ok("-n", ns, "patch", "configmap", "settings", "-p", "{\"data\":{\"mode\":\"strategic\"}}");
        assertThat(alice().ok("-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("strategic");
        alice().ok("-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", "{\"data\":{\"mode\":\"merge\"}}");
        assertThat(alice().ok("-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("merge");
        alice().ok("-n", ns, "patch", "configmap", "settings", "--type=json",
                "-p", "[{\"op\":\"replace\",\"path\":\"/data/mode\",\"value\":\"json\"}]");
        assertThat(alice().ok("-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("json");

        // Server-side dry run goes through and changes nothing.
        alice().ok("-n", ns, "create", "configmap", "dry", "--from-literal=x=y", "--dry-run=server");
        Kubectl.Result missing = alice().run("-n", ns, "get", "configmap", "dry");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("NotFound");

        alice().ok("-n", ns, "delete", "configmap", "settings");
        assertThat(alice().run("-n", ns, "get", "configmap", "settings").stderr()).contains("not found");
    }

    @Test
    void applyClientSideAndServerSide() throws Exception {
        String ns = ns();
        alice().ok("create", "namespace", ns);
        Path manifest = Files.createTempFile("deploy", ".yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: %s
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: web, image: nginx:1.27}]
                """.formatted(ns));
        assertThat(alice().ok("apply", "-f", manifest.toString())).contains("deployment.apps/web created");
        Files.writeString(manifest, Files.readString(manifest).replace("replicas: 1", "replicas: 2"));
        assertThat(alice().ok("apply", "-f", manifest.toString())).contains("deployment.apps/web configured");
        assertThat(alice().ok("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).isEqualTo("2");
        Files.writeString(manifest, Files.readString(manifest).replace("replicas: 2", "replicas: 3"));
        assertThat(alice().ok("apply", "--server-side", "--force-conflicts", "-f", manifest.toString())).contains("serverside-applied");
        assertThat(alice().ok("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
        alice().ok("delete", "-f", manifest.toString());
    }

    @Test
    void watchStreamsChangesAsTheyHappen() throws Exception {
        String ns = ns();
        alice().ok("create", "namespace", ns);
        Process watch = alice().start("-n", ns, "get", "configmaps", "-w", "-o", "name");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.contains("configmap/late")) {
                            return line;
                        }
                    }
                    return "stream ended";
                } catch (Exception e) {
                    return e.toString();
                }
            });
            Thread.sleep(1500); // let the watch start before the change it must see
            alice().ok("-n", ns, "create", "configmap", "late", "--from-literal=a=b");
            assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo("configmap/late");
        } finally {
            watch.destroy();
            watch.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void authCanIThroughTheGateway() {
        assertThat(alice().ok("auth", "can-i", "create", "configmaps").strip()).isEqualTo("yes");
    }

    @Test
    void aWrongTokenIsUnauthorized() throws Exception {
        Path kc = gateway().kubeconfig(Files.createTempFile("wrong", ".kubeconfig"), "not-a-token");
        Kubectl.Result r = new Kubectl(kc).run("get", "namespaces");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).containsIgnoringCase("unauthorized");
    }
}
