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
                + "\"path\":\"/api\",\"query\":{},\"dryRun\":false}");
        assertThat(j.get("podSpec").toString()).isEqualTo("{\"path\":\"spec.template.spec\"}");
        assertThat(j.at("/object/spec/template/spec/containers/0/name").asText()).isEqualTo("app");
        assertThat(j.has("oldObject")).isFalse();
        assertThat(j.get("stats").toString()).isEqualTo("{\"requests\":12,\"mutations\":3,\"deletes\":1,\"denied\":0}");
        assertThat(j.get("now").asText()).isEqualTo("2026-11-26T08:00:00Z");
    }

    @Test
    void requestFromTheClassification() {
        var info = RequestInfoParser.parse("POST", "/api/v1/namespaces/prod/pods/web-1/exec", "command=sh&dryRun=All", false);
        PolicyInput.Request r = PolicyInput.Request.of(info, QueryParams.parse("command=sh&dryRun=All"));
        assertThat(r.verb()).isEqualTo("create");
        assertThat(r.subresource()).isEqualTo("exec");
        assertThat(r.name()).isEqualTo("web-1");
        assertThat(r.query()).containsEntry("command", java.util.List.of("sh"));
        assertThat(r.dryRun()).isTrue();
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
