package dev.kubegate.e2e;

import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an agent does with kubectl through kubegate, independent of the cluster behind it. Each leg
 * (test double, real kube-apiserver) runs this same suite; subclasses add what only they can show.
 * Agent "alice" is in group {@code agents} (may do anything), "bob" only in {@code viewers}.
 */
abstract class KubectlContract {

    static final String ALICE_TOKEN = "alice-token-" + UUID.randomUUID();
    static final String BOB_TOKEN = "bob-token-" + UUID.randomUUID();

    abstract GatewayProcess gateway();

    abstract Kubectl alice();

    /** Runs kubectl, fails the test on a non-zero exit, returns standard output. */
    static String ok(Kubectl k, String... args) {
        return k.run(args).assertSuccess().stdout();
    }

    private String ns() {
        return "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void discoveryVersionAndApiResources() {
        assertThat(ok(alice(), "version", "-o", "json")).contains("\"serverVersion\"");
        String resources = ok(alice(), "api-resources");
        assertThat(resources).contains("pods", "deployments", "namespaces", "configmaps");
        assertThat(ok(alice(), "api-versions")).contains("apps/v1", "v1");
    }

    @Test
    void createGetPatchDeleteLifecycle() throws Exception {
        String ns = ns();
        ok(alice(), "create", "namespace", ns);
        ok(alice(), "-n", ns, "create", "configmap", "settings", "--from-literal=mode=a");
        assertThat(ok(alice(), "-n", ns, "get", "configmap", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("a");

        ok(alice(), "-n", ns, "patch", "configmap", "settings", "-p", "{\"data\":{\"mode\":\"strategic\"}}");
        assertThat(ok(alice(), "-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("strategic");
        ok(alice(), "-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", "{\"data\":{\"mode\":\"merge\"}}");
        assertThat(ok(alice(), "-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("merge");
        ok(alice(), "-n", ns, "patch", "configmap", "settings", "--type=json",
                "-p", "[{\"op\":\"replace\",\"path\":\"/data/mode\",\"value\":\"json\"}]");
        assertThat(ok(alice(), "-n", ns, "get", "cm", "settings", "-o", "jsonpath={.data.mode}")).isEqualTo("json");

        // Server-side dry run goes through and changes nothing.
        ok(alice(), "-n", ns, "create", "configmap", "dry", "--from-literal=x=y", "--dry-run=server");
        Kubectl.Result missing = alice().run("-n", ns, "get", "configmap", "dry");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("NotFound");

        ok(alice(), "-n", ns, "delete", "configmap", "settings");
        assertThat(alice().run("-n", ns, "get", "configmap", "settings").stderr()).contains("not found");
    }

    @Test
    void applyClientSideAndServerSide() throws Exception {
        String ns = ns();
        ok(alice(), "create", "namespace", ns);
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
        assertThat(ok(alice(), "apply", "-f", manifest.toString())).contains("deployment.apps/web created");
        Files.writeString(manifest, Files.readString(manifest).replace("replicas: 1", "replicas: 2"));
        assertThat(ok(alice(), "apply", "-f", manifest.toString())).contains("deployment.apps/web configured");
        assertThat(ok(alice(), "-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).isEqualTo("2");
        Files.writeString(manifest, Files.readString(manifest).replace("replicas: 2", "replicas: 3"));
        assertThat(ok(alice(), "apply", "--server-side", "--force-conflicts", "-f", manifest.toString())).contains("serverside-applied");
        assertThat(ok(alice(), "-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
        ok(alice(), "delete", "-f", manifest.toString());
    }

    @Test
    void watchStreamsChangesAsTheyHappen() {
        String ns = ns();
        ok(alice(), "create", "namespace", ns);
        ok(alice(), "-n", ns, "create", "configmap", "early", "--from-literal=a=b");
        try (Kubectl.Running watch = alice().start("-n", ns, "get", "configmaps", "-w", "-o", "name")) {
            // The initial list arrives first; the change made afterwards must arrive on the watch.
            watch.awaitStdout("configmap/early", Duration.ofSeconds(20));
            ok(alice(), "-n", ns, "create", "configmap", "late", "--from-literal=a=b");
            watch.awaitStdout("configmap/late", Duration.ofSeconds(20));
        }
    }

    @Test
    void authCanIThroughTheGateway() {
        assertThat(ok(alice(), "auth", "can-i", "create", "configmaps").strip()).isEqualTo("yes");
    }

    @Test
    void aWrongTokenIsUnauthorized() throws Exception {
        Path kc = gateway().kubeconfig(Files.createTempFile("wrong", ".kubeconfig"), "not-a-token");
        Kubectl.Result r = new Kubectl(kc).run("get", "namespaces");
        assertThat(r.exitCode()).isNotZero();
        // kubectl's wording for a 401 Status
        assertThat(r.stderr()).contains("You must be logged in to the server");
    }
}
