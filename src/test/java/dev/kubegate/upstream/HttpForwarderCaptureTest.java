package dev.kubegate.upstream;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.Upstreams;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The forwarder copies the answer it relays into a capture, bounded, without changing what the client gets. */
class HttpForwarderCaptureTest {

    static Vertx vertx;
    static FakeKubeApiServer cluster;
    static UpstreamClient upstream;
    static HttpServer front;
    static final AtomicReference<Long> limit = new AtomicReference<>();
    static final AtomicReference<CompletableFuture<BodyCapture>> captured = new AtomicReference<>();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        vertx = Vertx.vertx();
        cluster = FakeKubeApiServer.start();
        cluster.putObject("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},"data":{"color":"blue"}}""");
        upstream = Upstreams.client(vertx, cluster.writeKubeconfig(dir.resolve("kubeconfig")));
        HttpForwarder forwarder = new HttpForwarder(vertx, upstream, Duration.ofSeconds(10));
        front = vertx.createHttpServer(new HttpServerOptions().setPort(0)).requestHandler(req -> {
            req.pause();
            BodyCapture capture = new BodyCapture(limit.get());
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
            forwarder.forward(req, headers, null, 1 << 20, false, ResponseFilter.NONE, capture)
                    .onComplete(x -> captured.get().complete(capture));
        }).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (upstream != null) upstream.close();
        if (cluster != null) cluster.close();
        if (vertx != null) vertx.close();
    }

    static String get(long max) throws Exception {
        limit.set(max);
        captured.set(new CompletableFuture<>());
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + front.actualPort() + "/api/v1/namespaces/default/configmaps/settings")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theWholeAnswerIsCapturedWhenItFits() throws Exception {
        String body = get(1 << 16);
        BodyCapture c = captured.get().get(10, TimeUnit.SECONDS);
        assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo(body).contains("\"color\":\"blue\"");
        assertThat(c.truncated()).isFalse();
        assertThat(c.contentType()).contains("json");
    }

    @Test
    void aLongerAnswerKeepsOnlyItsFirstBytesAndReachesTheClientWhole() throws Exception {
        String body = get(16);
        BodyCapture c = captured.get().get(10, TimeUnit.SECONDS);
        assertThat(body).contains("\"color\":\"blue\"");
        assertThat(c.truncated()).isTrue();
        assertThat(c.length()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new String(c.bytes(), StandardCharsets.UTF_8)).isEqualTo(body.substring(0, 16));
        assertThat(Optional.ofNullable(c.contentType())).isPresent();
    }
}
