package dev.kubegate.policy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import static dev.kubegate.policy.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** External bundles and data: loading, hot reload, rejection of broken changes, failing closed. */
class PolicyReloadTest {

    @TempDir
    static Path scratch;

    static byte[] defaultPack;
    /** The default pack, but privileged containers are allowed. */
    static byte[] permissivePack;

    @TempDir
    Path dir;
    PolicyEngine engine;

    @BeforeAll
    static void bundles() throws Exception {
        defaultPack = bundle(scratch, defaultPack(null, null, null));
        permissivePack = bundle(scratch, defaultPack("workloads.rego", "pod_spec[list][i].securityContext.privileged == true",
                "pod_spec[list][i].securityContext.privileged == \"never\""));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    PolicyEngine start(Path bundle, Path data, Duration interval) {
        engine = new PolicyEngine(new PolicyEngine.Options(Optional.ofNullable(bundle), Optional.ofNullable(data), 2,
                interval, 64, Duration.ofSeconds(5)));
        engine.start();
        return engine;
    }

    static PolicyDecision decide(PolicyEngine e, PolicyInput in) {
        return e.decide(in).toCompletableFuture().join();
    }

    static PolicyInput privilegedPod() {
        return input(request("create", "", "pods", "", "prod"), pod(PRIVILEGED_SPEC));
    }

    /** Writes a file and moves its modification time on, as a later edit would. */
    static void write(Path file, byte[] bytes) throws IOException {
        Instant before = Files.exists(file) ? Files.getLastModifiedTime(file).toInstant() : Instant.EPOCH;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(before.plusSeconds(5).isAfter(Instant.now()) ? before.plusSeconds(5) : Instant.now()));
    }

    @Test
    void editedBundleIsPickedUpWithoutRestart() throws Exception {
        Path bundle = dir.resolve("bundle.tar.gz");
        write(bundle, defaultPack);
        start(bundle, null, Duration.ofMillis(100));
        String first = engine.revision().orElseThrow();
        assertThat(decide(engine, privilegedPod()).allow()).isFalse();

        write(bundle, permissivePack);
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.revision().orElseThrow().equals(first));
        assertThat(decide(engine, privilegedPod()).allow()).isTrue();
        assertThat(engine.revision()).contains(PolicyBundle.revisionOf(permissivePack));
        assertThat(engine.reloads()).isEqualTo(1);
    }

    @Test
    void brokenBundleKeepsThePreviousPolicy() throws Exception {
        Path bundle = dir.resolve("bundle.tar.gz");
        write(bundle, defaultPack);
        start(bundle, null, Duration.ofHours(1));
        String revision = engine.revision().orElseThrow();

        write(bundle, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}); // truncated gzip
        assertThat(engine.reload()).isFalse();
        assertThat(engine.revision()).contains(revision);
        assertThat(engine.lastError()).get().asString().contains("bundle.tar.gz");
        assertThat(decide(engine, privilegedPod()).allow()).isFalse();

        write(bundle, "not a bundle".getBytes());
        assertThat(engine.reload()).isFalse();
        write(bundle, bundle(scratch, Map.of("p.rego", "package kubegate\ndecision := {\"allow\": \"yes\"}\n")));
        assertThat(engine.reload()).isFalse(); // loads, but the probe's decision is malformed
        assertThat(engine.lastError()).get().asString().contains("allow must be a boolean");
        assertThat(engine.revision()).contains(revision);
        assertThat(engine.reloadFailures()).isEqualTo(3);

        engine.reloadIfChanged(); // the same broken file is not retried
        assertThat(engine.reloadFailures()).isEqualTo(3);
    }

    @Test
    void noBundleFailsClosedUntilOneAppears() throws Exception {
        Path bundle = dir.resolve("missing.tar.gz");
        start(bundle, null, Duration.ofMillis(100));
        assertThat(engine.loaded()).isEmpty();
        assertThatThrownBy(() -> decide(engine, read("get", "pods", "prod")))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(PolicyUnavailableException.class).hasMessageContaining("no policy is loaded");
        assertThat(engine.failures()).isEqualTo(1);

        write(bundle, defaultPack);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.loaded().isPresent());
        assertThat(decide(engine, read("get", "pods", "prod")).allow()).isTrue();
    }

    @Test
    void malformedDecisionIsAnErrorNeverAnAllow() throws Exception {
        Path bundle = dir.resolve("bundle.wasm.tar.gz");
        // Valid for the probe (namespace default), malformed elsewhere.
        write(bundle, bundle(scratch, Map.of("p.rego", """
                package kubegate
                decision := {"allow": true} if input.request.namespace == "default"
                else := {"allow": true, "reasons": "not a list"} if input.request.namespace == "a"
                else := {"reasons": []}
                """)));
        start(bundle, null, Duration.ofHours(1));
        assertThat(decide(engine, read("get", "pods", "default")).allow()).isTrue();
        for (String ns : new String[] {"a", "b"}) {
            assertThatThrownBy(() -> decide(engine, read("get", "pods", ns)))
                    .cause().isInstanceOf(PolicyUnavailableException.class).hasMessageContaining("malformed decision");
        }
        assertThat(engine.failures()).isEqualTo(2);
    }

    @Test
    void undefinedDecisionFailsClosed() throws Exception {
        Path bundle = dir.resolve("bundle.tar.gz");
        write(bundle, bundle(scratch, Map.of("p.rego", """
                package kubegate
                decision := {"allow": true} if input.request.namespace == "default"
                """)));
        start(bundle, null, Duration.ofHours(1));
        assertThatThrownBy(() -> decide(engine, read("get", "pods", "prod")))
                .cause().isInstanceOf(PolicyUnavailableException.class).hasMessageContaining("defines no kubegate/decision");
    }

    @Test
    void dataIsMergedAndReloaded() throws Exception {
        Path data = dir.resolve("data.json");
        write(data, "{\"kubegate\": {\"productionNamespaces\": [\"prod\"]}}".getBytes());
        start(null, data, Duration.ofMillis(100));
        PolicyInput write = input(request("create", "", "configmaps", "", "prod"), json("{\"metadata\": {\"name\": \"c\"}}"));
        PolicyDecision d = decide(engine, write);
        assertThat(d.approval().required()).isTrue();
        assertThat(d.approval().approverGroups()).containsExactly("kubegate-approvers"); // bundle data kept
        assertThat(decide(engine, read("create", "configmaps", "kube-system")).approval().required()).isTrue();
        String dataRevision = engine.loaded().orElseThrow().dataRevision();
        String revision = engine.revision().orElseThrow();

        write(data, "{\"kubegate\": {\"productionNamespaces\": [], \"approval\": {\"approverGroups\": [\"sre\"]}}}".getBytes());
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.loaded().orElseThrow().dataRevision().equals(dataRevision));
        assertThat(decide(engine, write).allow()).isTrue();
        assertThat(decide(engine, read("create", "configmaps", "kube-system")).approval().approverGroups()).containsExactly("sre");
        assertThat(engine.revision()).contains(revision);

        write(data, "{\"kubegate\": ".getBytes()); // broken: previous data stays
        assertThat(engine.reload()).isFalse();
        assertThat(engine.lastError()).get().asString().contains("not valid JSON");
        assertThat(decide(engine, write).allow()).isTrue();
    }

    @Test
    void bundlesNeedingHostBuiltinsRunOnOpaJavaWasm() throws Exception {
        Path bundle = dir.resolve("bundle.tar.gz");
        write(bundle, bundle(scratch, Map.of("p.rego", """
                package kubegate
                decision := {"allow": false, "reasons": [sprintf("no %s for %v", [input.request.verb, input.principal.name])]}
                """)));
        start(bundle, null, Duration.ofHours(1));
        assertThat(engine.loaded().orElseThrow().mode()).isEqualTo("opa-java-wasm");
        assertThat(decide(engine, read("get", "pods", "prod")).reasons()).containsExactly("no get for alice");
    }

    @Test
    void bareWasmModuleIsAccepted() throws Exception {
        Path wasm = dir.resolve("policy.wasm");
        PolicyBundle b = PolicyBundle.parse(defaultPack, "test");
        write(wasm, b.wasm());
        start(wasm, null, Duration.ofHours(1));
        // No bundle data: the pack's safe fallbacks apply.
        assertThat(decide(engine, read("delete", "pods", "kube-system")).approval().required()).isTrue();
        assertThat(decide(engine, read("get", "pods", "kubegate")).allow()).isFalse();
        assertThat(decide(engine, privilegedPod()).allow()).isFalse();
    }
}
