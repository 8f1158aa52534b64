package dev.kubegate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfoParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Optional;

import static dev.kubegate.policy.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

class PolicyInputTest {

    @Test
    void serialisesTheContractDocument() throws IOException {
        PolicyInput in = input(request("create", "apps", "deployments", "", "prod"), deployment(PRIVILEGED_SPEC));
        JsonNode j = JSON.readTree(in.toJson());
        assertThat(j.get("principal").toString()).isEqualTo("{\"id\":\"static:alice\",\"name\":\"alice\",\"kind\":\"static\","
                + "\"groups\":[\"agents\"],\"session\":{\"id\":\"s-1\",\"labels\":{\"task\":\"deploy web\"},\"expiresAt\":\"2026-11-26T08:15:00Z\"}}");
        assertThat(j.get("request").toString()).isEqualTo("{\"verb\":\"create\",\"apiGroup\":\"apps\",\"apiVersion\":\"apps/v1\","
                + "\"resource\":\"deployments\",\"subresource\":\"\",\"namespace\":\"prod\",\"name\":\"\",\"isResourceRequest\":true,"
                + "\"path\":\"/api\",\"query\":{},\"dryRun\":false,"
                + "\"options\":{\"source\":\"none\",\"dryRun\":false}}");
        assertThat(j.get("podSpec").toString()).isEqualTo("{\"path\":\"spec.template.spec\"}");
        assertThat(j.at("/object/spec/template/spec/containers/0/name").asText()).isEqualTo("app");
        assertThat(j.has("oldObject")).isFalse();
        assertThat(j.get("stats").toString()).isEqualTo("{\"requests\":12,\"mutations\":3,\"deletes\":1,\"denied\":0}");
        assertThat(j.get("now").asText()).isEqualTo("2026-11-26T08:00:00Z");
    }

    @Test
    void tokenSecretsOfThePodSpecGoUnderPodSpec() throws IOException {
        PolicyInput plain = input(request("create", "apps", "deployments", "", "prod"), deployment(PRIVILEGED_SPEC));
        PolicyInput in = new PolicyInput(plain.principal(), plain.request(), plain.object(), null, plain.podSpecPath(),
                plain.stats(), plain.now(), java.util.Map.of("deployer-token-x", "deployer"));
        assertThat(JSON.readTree(in.toJson()).get("podSpec").toString())
                .isEqualTo("{\"path\":\"spec.template.spec\",\"tokenSecrets\":{\"deployer-token-x\":\"deployer\"}}");
    }

    @Test
    void requestFromTheClassification() {
        var info = RequestInfoParser.parse("POST", "/api/v1/namespaces/prod/pods/web-1/exec", "command=sh&dryRun=All", false);
        PolicyInput.Request r = PolicyInput.Request.of(info, QueryParams.parse("command=sh&dryRun=All"));
        assertThat(r.verb()).isEqualTo("create");
        assertThat(r.subresource()).isEqualTo("exec");
        assertThat(r.name()).isEqualTo("web-1");
        assertThat(r.query()).containsEntry("command", java.util.List.of("sh"));
        // Connect handlers refuse dryRun (400): kubegate only says dry run where the API server dry-runs.
        assertThat(r.dryRun()).isFalse();
        assertThat(r.options().source()).isEqualTo(dev.kubegate.k8s.EffectiveOptions.Source.NONE);
    }

    @Test
    void optionsAndTheBoundPodOfABindingAreInTheInput() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var info = RequestInfoParser.parse("POST", "/api/v1/namespaces/prod/bindings", "dryRun=All", false);
        var query = QueryParams.parse("dryRun=All&fieldManager=agent");
        var binding = json.readTree("{\"kind\":\"Binding\",\"metadata\":{\"name\":\"web-1\"},\"target\":{\"name\":\"node-a\"}}");
        var options = dev.kubegate.k8s.EffectiveOptions.derive(info, query, dev.kubegate.k8s.EffectiveOptions.Body.json(binding));
        PolicyInput.Request r = PolicyInput.Request.of(info, query, options, binding);
        assertThat(r.name()).isEqualTo("web-1");
        assertThat(r.dryRun()).isTrue();
        var input = new PolicyInput(Fixtures.ALICE, r, binding, null, null, PolicyInput.Stats.NONE,
                java.time.Instant.parse("2026-11-26T08:00:00Z"));
        var j = json.readTree(input.toJson());
        assertThat(j.at("/request/options").toString())
                .isEqualTo("{\"source\":\"query\",\"dryRun\":true,\"fieldManager\":\"agent\"}");
        assertThat(j.at("/request/name").asText()).isEqualTo("web-1");
        // A custom resource created at an item path is stored under the body's name.
        var cr = RequestInfoParser.parse("POST", "/apis/example.com/v1/namespaces/prod/foos/bar", "", false);
        var foo = json.readTree("{\"kind\":\"Foo\",\"metadata\":{\"name\":\"baz\"}}");
        assertThat(PolicyInput.Request.of(cr, QueryParams.empty(), dev.kubegate.k8s.EffectiveOptions.NONE, foo).name()).isEqualTo("baz");
        var update = RequestInfoParser.parse("PUT", "/apis/example.com/v1/namespaces/prod/foos/bar", "", false);
        assertThat(PolicyInput.Request.of(update, QueryParams.empty(), dev.kubegate.k8s.EffectiveOptions.NONE, foo).name()).isEqualTo("bar");
    }

    @Test
    void podSpecPaths() {
        assertThat(PolicyInput.podSpecPath("", "pods", "")).contains("spec");
        assertThat(PolicyInput.podSpecPath("", "pods", "ephemeralcontainers")).contains("spec");
        assertThat(PolicyInput.podSpecPath("", "pods", "exec")).isEmpty();
        for (String r : new String[] {"deployments", "statefulsets", "daemonsets", "replicasets"}) {
            assertThat(PolicyInput.podSpecPath("apps", r, "")).contains("spec.template.spec");
            assertThat(PolicyInput.podSpecPath("apps", r, "scale")).isEmpty();
        }
        assertThat(PolicyInput.podSpecPath("", "replicationcontrollers", "")).contains("spec.template.spec");
        assertThat(PolicyInput.podSpecPath("batch", "jobs", "")).contains("spec.template.spec");
        assertThat(PolicyInput.podSpecPath("batch", "cronjobs", "")).contains("spec.jobTemplate.spec.template.spec");
        assertThat(PolicyInput.podSpecPath("", "podtemplates", "")).contains("template.spec");
        assertThat(PolicyInput.podSpecPath("", "configmaps", "")).isEqualTo(Optional.empty());
        assertThat(PolicyInput.podSpecPath("extensions", "deployments", "")).isEmpty();
    }
}
