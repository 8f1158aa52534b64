package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.RecordedRequest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing is off unless an OTLP endpoint is configured (config/TracingSwitch): the packaged jar
 * started with no endpoint never tries to export — nothing reaches a collector listening on the
 * OTLP default port 4317 (when the test can bind it) and no exporter complains in the log. With an
 * endpoint and a sampling ratio of 0, calls carry an unsampled trace context and nothing is
 * exported. (Export itself, with ratio 1: {@code GatewayEdgeCasesIT}.)
 */
class TracingIT {

    static final String AGENT = "tracing-agent-token";

    static Path dir;
    static FakeKubeApiServer cluster;
    static Vertx vertx;
    static HttpServer otlp;
    static final AtomicInteger exports = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubegate-tracing");
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default"},
                 "spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
        Files.writeString(dir.resolve("agents.csv"), AGENT + ",tracer,tracer-uid,\"agents\"\n");
        vertx = Vertx.vertx();
        otlp = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            exports.incrementAndGet();
            req.response().putHeader("Content-Type", "application/x-protobuf").end();
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) cluster.close();
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static GatewayProcess gateway(String name, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve(name + ".kubeconfig")).toString(),
                "kubegate.identity.static.tokens-file", dir.resolve("agents.csv").toString(),
                // were tracing on, failed exports would show within the run
                "quarkus.otel.bsp.schedule.delay", "100ms",
                "quarkus.otel.exporter.otlp.traces.timeout", "1s"));
        settings.putAll(extra);
        GatewayProcess g = GatewayProcess.start(dir.resolve(name), settings);
        g.awaitReady();
        return g;
    }

    static RecordedRequest getPod(GatewayProcess g) {
        cluster.clearRequests();
        RestAssured.given().baseUri(g.url()).relaxedHTTPSValidation().header("Authorization", "Bearer " + AGENT)
                .get("/api/v1/namespaces/default/pods/web-1").then().statusCode(200);
        return cluster.requests().stream().filter(r -> r.path().endsWith("/pods/web-1")).findFirst().orElseThrow();
    }

    @Test
    void withoutAnEndpointNothingIsExported() throws Exception {
        // The OTLP default (gRPC, localhost:4317): were the exporter on, it would send here. Other
        // processes on the machine may export there too, so only spans carrying this run's marker count.
        String marker = "tracing-it-" + UUID.randomUUID();
        byte[] markerBytes = marker.getBytes(StandardCharsets.UTF_8);
        AtomicInteger defaultPortExports = new AtomicInteger();
        HttpServer defaultPort = null;
        try {
            defaultPort = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
                if (new String(body.getBytes(), StandardCharsets.ISO_8859_1).contains(new String(markerBytes, StandardCharsets.ISO_8859_1))) {
                    defaultPortExports.incrementAndGet();
                }
                req.response().setStatusCode(200).end();
            })).listen(4317, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception busy) {
            System.err.println("TracingIT: port 4317 is taken; checking the log only");
        }
        try (GatewayProcess g = gateway("off", Map.of(
                "quarkus.otel.resource.attributes", "kubegate.test.run=" + marker,
                "quarkus.otel.exporter.otlp.compression", "none"))) {
            for (int i = 0; i < 5; i++) {
                getPod(g);
            }
            Thread.sleep(3_000); // many export intervals (100 ms)
            List<String> otelLines = g.logText().lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .filter(l -> l.contains("opentelemetry") || l.contains("OTLP") || l.toLowerCase().contains("export"))
                    .toList();
            assertThat(otelLines).as("exporter complaints in " + g.log()).isEmpty();
            assertThat(defaultPortExports.get()).as("exports to the OTLP default port").isZero();
        } finally {
            if (defaultPort != null) defaultPort.close();
        }
    }

    @Test
    void theSamplingRatioDecidesWhatIsExported() throws Exception {
        exports.set(0);
        try (GatewayProcess g = gateway("ratio0", Map.of(
                "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + otlp.actualPort(),
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.traces.sampler.arg", "0"))) {
            for (int i = 0; i < 5; i++) {
                String traceparent = getPod(g).header("traceparent");
                assertThat(traceparent).as("tracing is on: the context is propagated").isNotNull();
                assertThat(traceparent).as("but not sampled").endsWith("-00");
            }
            Thread.sleep(1_500);
            assertThat(exports.get()).as("nothing sampled, nothing exported").isZero();
        }
    }
}
