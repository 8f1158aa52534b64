package dev.kubegate.upstream;

import dev.kubegate.testing.Upstreams;
import dev.kubegate.masking.JsonMasker;
import dev.kubegate.masking.MaskRules;
import dev.kubegate.masking.ResourceHint;
import dev.kubegate.policy.PolicyDecision;
import dev.kubegate.testing.FakeKubeApiServer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code Warning} header of a masked answer: the exact count for a finite JSON answer (held until
 * complete), none when nothing was masked, and "masking is active" for a watch or an answer too large
 * to hold, whose head leaves before its count is known.
 */
class HttpForwarderWarningTest {

    static Vertx vertx;
    static FakeKubeApiServer cluster;
    static UpstreamClient upstream;
    static HttpServer front;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        cluster = FakeKubeApiServer.start();
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},
                 "data":{"password":"%s","user":"%s","host":"%s"}}""".formatted(b64("p4ss"), b64("u"), b64("h")));
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"one","namespace":"default"},"data":{"k":"%s"}}"""
                .formatted(b64("v")));
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"empty","namespace":"default"}}""");
        // Enough Secrets in "big" that their list is larger than MaskWarning.HOLD_BYTES.
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"big"}}""");
        String note = "x".repeat(200_000); // unmasked: an annotation
        for (int i = 0; i < 8; i++) {
            cluster.putObject("""
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"big-%d","namespace":"big","annotations":{"note":"%s"}},
                     "data":{"password":"%s"}}""".formatted(i, note, b64("p4ss")));
        }
        upstream = Upstreams.client(vertx, cluster.writeKubeconfig(dir.resolve("kubeconfig")));
        HttpForwarder forwarder = new HttpForwarder(vertx, upstream, Duration.ofSeconds(10));
        MaskRules rules = PolicyDecision.Mask.SECRETS_ONLY.rules();
        ResponseFilter secrets = (status, headers) -> new JsonMasker(rules, ResourceHint.SECRETS);
        front = vertx.createHttpServer(new HttpServerOptions().setPort(0)).requestHandler(req -> {
            req.pause();
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
            boolean watch = req.uri().contains("watch=true");
            forwarder.forward(req, headers, null, 1 << 20, watch, secrets, null);
        }).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (upstream != null) upstream.close();
        if (cluster != null) cluster.close();
        if (vertx != null) vertx.close();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.actualPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHeldAnswerCountsTheValuesItMasked() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/default/secrets/db");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(b64("p4ss"));
        assertThat(r.headers().allValues("Warning")).containsExactly("299 - \"3 Secret values masked by kubegate\"");
        assertThat(get("/api/v1/namespaces/default/secrets/one").headers().allValues("Warning"))
                .containsExactly("299 - \"1 Secret value masked by kubegate\"");
    }

    @Test
    void nothingMaskedNoWarning() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/default/secrets/empty");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("Warning")).isEmpty();
    }

    @Test
    void anAnswerTooLargeToHoldSaysMaskingIsActive() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/big/secrets");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().length()).isGreaterThan(MaskWarning.HOLD_BYTES);
        assertThat(r.body()).contains("big-7").doesNotContain(b64("p4ss"));
        assertThat(r.headers().allValues("Warning")).containsExactly(MaskWarning.ACTIVE);
    }

    @Test
    void aWatchSaysMaskingIsActiveBeforeItsFirstEvent() throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.actualPort()
                + "/api/v1/namespaces/default/secrets?watch=true")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().allValues("Warning")).isEqualTo(List.of(MaskWarning.ACTIVE));
            assertThat(MaskWarning.ACTIVE).isEqualTo("299 - \"Secret values in this response are masked by kubegate\"");
        }
    }
}
