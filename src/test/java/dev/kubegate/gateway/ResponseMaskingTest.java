package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.WholeObjectMasker;
import dev.kubegate.masking.LineMasker;
import dev.kubegate.masking.SecretValues;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.upstream.UpstreamFailure;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseMaskingTest {

    static final PolicyDecision.Mask ALL = new PolicyDecision.Mask(true, List.of("(?i)pass"), List.of("password=(?<secret>\\S+)"));
    static final PolicyDecision.Mask OFF = new PolicyDecision.Mask(false, List.of(), List.of());

    static ResponseMasking plan(String method, String uri, boolean upgrade, String protocol, PolicyDecision.Mask mask) {
        int q = uri.indexOf('?');
        return ResponseMasking.plan(RequestInfoParser.parse(method, q < 0 ? uri : uri.substring(0, q),
                q < 0 ? null : uri.substring(q + 1), upgrade), upgrade, protocol, mask);
    }

    static ResponseMasking.Route route(String method, String uri) {
        return plan(method, uri, false, null, ALL).route();
    }

    @Test
    void routes() {
        assertThat(route("GET", "/api/v1/namespaces/a/secrets/x")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("GET", "/api/v1/secrets?watch=1")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("POST", "/api/v1/namespaces/a/secrets?dryRun=All")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("DELETE", "/api/v1/namespaces/a/secrets/x")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("GET", "/apis/apps/v1/deployments")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("GET", "/apis/metrics.example.io/v1/things")).isEqualTo(ResponseMasking.Route.JSON);
        assertThat(route("GET", "/api/v1/namespaces/a/pods/p/log?follow=true")).isEqualTo(ResponseMasking.Route.TEXT);
        assertThat(route("GET", "/logs/kube-apiserver.log")).isEqualTo(ResponseMasking.Route.TEXT);
        assertThat(route("GET", "/version")).isEqualTo(ResponseMasking.Route.NONE);
        assertThat(route("GET", "/api/v1/nodes/n1/proxy/pods")).isEqualTo(ResponseMasking.Route.REFUSE);
        assertThat(route("GET", "/api/v1/namespaces/a/services/s:80/proxy/")).isEqualTo(ResponseMasking.Route.REFUSE);
        assertThat(route("GET", "/api/v1/namespaces/a/pods/p/proxy/x")).isEqualTo(ResponseMasking.Route.REFUSE);
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/exec?command=sh", true, "websocket", ALL).route())
                .isEqualTo(ResponseMasking.Route.EXEC);
        ResponseMasking spdy = plan("POST", "/api/v1/namespaces/a/pods/p/exec?command=sh", true, "SPDY/3.1", ALL);
        assertThat(spdy.route()).isEqualTo(ResponseMasking.Route.REFUSE);
        assertThat(spdy.refusal().code()).isEqualTo(403);
        assertThat(spdy.refusal().message()).contains("WebSocket", "1.30");
        assertThat(plan("POST", "/api/v1/namespaces/a/pods/p/portforward", true, "SPDY/3.1", ALL).route())
                .isEqualTo(ResponseMasking.Route.NONE);
        assertThat(plan("GET", "/api/v1/secrets?watch=1", true, "websocket", ALL).route()).isEqualTo(ResponseMasking.Route.REFUSE);
        // nothing to mask: nothing refused or rewritten
        assertThat(plan("GET", "/api/v1/nodes/n1/proxy/pods", false, null, OFF).route()).isEqualTo(ResponseMasking.Route.NONE);
        assertThat(plan("POST", "/api/v1/namespaces/a/pods/p/exec", true, "SPDY/3.1", OFF).route()).isEqualTo(ResponseMasking.Route.NONE);
    }

    @Test
    void aPodsOwnOutputIsMaskedByValueWhenSecretsAre() {
        PolicyDecision.Mask secretsOnly = new PolicyDecision.Mask(true, List.of(), List.of());
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/log", false, null, ALL).needsKnownValues()).isTrue();
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/exec?command=env", true, "websocket", ALL).needsKnownValues()).isTrue();
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/attach", true, "websocket", ALL).needsKnownValues()).isTrue();
        // no log patterns, but Secret values masked: the pod's logs and exec output are still filtered
        ResponseMasking logs = plan("GET", "/api/v1/namespaces/a/pods/p/log", false, null, secretsOnly);
        assertThat(logs.route()).isEqualTo(ResponseMasking.Route.TEXT);
        assertThat(logs.needsKnownValues()).isTrue();
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/exec?command=env", true, "SPDY/3.1", secretsOnly).route())
                .isEqualTo(ResponseMasking.Route.REFUSE);
        // not a pod's output, or Secret values not masked for this caller
        assertThat(plan("GET", "/logs/kube-apiserver.log", false, null, ALL).needsKnownValues()).isFalse();
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/log", false, null, OFF).route()).isEqualTo(ResponseMasking.Route.NONE);
        PolicyDecision.Mask patternsOnly = new PolicyDecision.Mask(false, List.of(), List.of("password=(?<secret>\\S+)"));
        assertThat(plan("GET", "/api/v1/namespaces/a/pods/p/log", false, null, patternsOnly).needsKnownValues()).isFalse();
    }

    @Test
    void acceptAsksForJsonAndKeepsTableParameters() {
        assertThat(ResponseMasking.jsonAccept(List.of("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
                + "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")))
                .isEqualTo("application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        assertThat(ResponseMasking.jsonAccept(List.of("application/vnd.kubernetes.protobuf, */*"))).isEqualTo("application/json,*/*");
        assertThat(ResponseMasking.jsonAccept(List.of("application/yaml"))).isEqualTo("application/json");
        assertThat(ResponseMasking.jsonAccept(List.of("text/html"))).isEqualTo("application/json");
        assertThat(ResponseMasking.jsonAccept(List.of())).isEqualTo("application/json");

        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/vnd.kubernetes.protobuf").add("Accept-Encoding", "gzip");
        ResponseMasking json = plan("GET", "/api/v1/secrets", false, null, ALL);
        json.prepare(h);
        assertThat(h.get("Accept")).isEqualTo("application/json");
        assertThat(h.contains("Accept-Encoding")).isFalse();
    }

    @Test
    void answersKubegateCannotReadAreRefused() {
        ResponseMasking json = plan("GET", "/api/v1/secrets", false, null, ALL);
        assertThat(json.filter().open(200, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")))
                .isInstanceOf(WholeObjectMasker.class); // Secrets: by value, then by location
        assertThat(plan("GET", "/api/v1/pods", false, null, ALL).filter()
                .open(200, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")))
                .isInstanceOf(JsonMasker.class);
        assertThat(json.filter().open(404, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain")))
                .isInstanceOf(LineMasker.class);
        for (MultiMap h : List.of(
                MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/vnd.kubernetes.protobuf"),
                MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json").add("Content-Encoding", "gzip"),
                MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain"),
                MultiMap.caseInsensitiveMultiMap())) {
            assertThatThrownBy(() -> json.filter().open(200, h)).isInstanceOf(UpstreamFailure.class)
                    .satisfies(e -> assertThat(((UpstreamFailure) e).status().code()).isEqualTo(500));
        }
        ResponseMasking exec = plan("GET", "/api/v1/namespaces/a/pods/p/exec?command=sh", true, "websocket", ALL);
        assertThatThrownBy(() -> exec.filter().open(101, MultiMap.caseInsensitiveMultiMap().add("Sec-WebSocket-Protocol", "v9.unknown")))
                .isInstanceOf(UpstreamFailure.class);
        assertThat(exec.filter().open(101, MultiMap.caseInsensitiveMultiMap().add("Sec-WebSocket-Protocol", "v5.channel.k8s.io")))
                .isNotNull();
    }

    @Test
    void credentialsAreMaskedEvenWhenNothingElseIs() {
        // OFF masks no Secret and no key, but credentials stay masked unless the policy says false
        assertThat(plan("POST", "/api/v1/namespaces/a/serviceaccounts/sa/token", false, null, OFF).route())
                .isEqualTo(ResponseMasking.Route.JSON);
        assertThat(plan("POST", "/apis/authentication.k8s.io/v1/tokenreviews", false, null, OFF).route())
                .isEqualTo(ResponseMasking.Route.JSON);
        assertThat(plan("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", false, null, OFF).route())
                .isEqualTo(ResponseMasking.Route.JSON);
        assertThat(plan("GET", "/api/v1/namespaces/a/pods", false, null, OFF).route()).isEqualTo(ResponseMasking.Route.NONE);
        PolicyDecision.Mask through = new PolicyDecision.Mask(false, List.of(), List.of(), false);
        assertThat(plan("POST", "/api/v1/namespaces/a/serviceaccounts/sa/token", false, null, through).route())
                .isEqualTo(ResponseMasking.Route.NONE);
    }

    @Test
    void dryRunErrorsAboutSecretsAreMaskedBeforeTheyAreRelayed() {
        String err = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                + "\"Secret \\\"db\\\" is invalid: metadata.labels: Invalid value: \\\"c2VjcmV0LXZhbHVlLzE=\\\": a valid label\",\"code\":422}";
        io.vertx.core.buffer.Buffer masked = ResponseMasking.maskedError(
                RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/secrets/db", "dryRun=All", false),
                "application/json", io.vertx.core.buffer.Buffer.buffer(err), new SecretValues());
        assertThat(masked.toString()).doesNotContain("c2VjcmV0LXZhbHVlLzE=").contains("Invalid value: \\\"***\\\"");
        assertThat(ResponseMasking.maskedError(RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/secrets/db", null, false),
                "text/plain", io.vertx.core.buffer.Buffer.buffer("Invalid value: x"), new SecretValues())).isNull();
        io.vertx.core.buffer.Buffer pod = io.vertx.core.buffer.Buffer.buffer(err);
        assertThat(ResponseMasking.maskedError(RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/pods/p", null, false),
                "application/json", pod, new SecretValues())).isSameAs(pod);
    }

    @Test
    void dryRunErrorsLoseTheValuesMaskingHidesInTheObject() {
        SecretValues hidden = new SecretValues();
        hidden.addRaw("CM-TOKEN-VALUE-4242");
        String err = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                + "\"the name of the object (CM-TOKEN-VALUE-4242) does not match the name on the URL (tokens)\",\"reason\":\"BadRequest\",\"code\":400}";
        io.vertx.core.buffer.Buffer clean = ResponseMasking.maskedError(
                RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/configmaps/tokens", null, false),
                "application/json", io.vertx.core.buffer.Buffer.buffer(err), hidden);
        assertThat(clean.toString()).doesNotContain("CM-TOKEN-VALUE-4242")
                .contains("the name of the object (***) does not match").contains("\"code\":400");
        assertThat(ResponseMasking.maskedError(RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/configmaps/tokens", null, false),
                "text/plain", io.vertx.core.buffer.Buffer.buffer("bad value CM-TOKEN-VALUE-4242"), hidden).toString())
                .isEqualTo("bad value ***");
        assertThat(ResponseMasking.maskedError(RequestInfoParser.parse("PATCH", "/api/v1/namespaces/a/configmaps/tokens", null, false),
                "application/vnd.kubernetes.protobuf", io.vertx.core.buffer.Buffer.buffer("x"), hidden)).isNull();
    }
}
