package dev.kubegate.e2e;

import dev.kubegate.testing.FakeKubeApiServer;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import dev.kubegate.testing.RecordedRequest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Raw HTTP at the edges a hostile or broken client (or cluster) reaches: every answer kubegate
 * produces itself must be a Kubernetes Status whose HTTP code equals {@code code}, and nothing
 * refused may reach the API server.
 */
class GatewayEdgeCasesIT {

    static final String AGENT = "edge-agent-token";
    static final String ADMIN = "edge-admin-token";

    static FakeKubeApiServer cluster;
    static GatewayProcess gateway;
    static Vertx vertx;
    static HttpServer otlp;
    static final List<Buffer> exportedTraces = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kubegate-edges");
        vertx = Vertx.vertx();
        otlp = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            exportedTraces.add(b);
            req.response().putHeader("Content-Type", "application/x-protobuf").end();
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, AGENT + ",edge,edge-uid,\"agents\"\n");
        Path admins = dir.resolve("admins.csv");
        Files.writeString(admins, ADMIN + ",root-human,h1,\"sre,kubegate-approvers\"\n");
        gateway = GatewayProcess.start(dir.resolve("gateway"), Map.of(
                "kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString(),
                "kubegate.identity.static.tokens-file", agents.toString(),
                "kubegate.admin.tokens-file", admins.toString(),
                "kubegate.limits.max-request-body", "64Ki",
                "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + otlp.actualPort(),
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.bsp.schedule.delay", "100ms"));
        gateway.awaitReady();
        cluster.putObject("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default"},
                 "spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) gateway.close();
        if (cluster != null) cluster.close();
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RequestSpecification agent() {
        return RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + AGENT);
    }

    /** The JDK client sends the path exactly as written (no normalisation), over HTTP/2 when offered. */
    private static HttpResponse<String> raw(String method, String pathAndQuery, HttpRequest.BodyPublisher body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + pathAndQuery)).method(method, body)
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return gateway.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertStatus(HttpResponse<String> r, int code, String reason) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(r.body()).contains("\"kind\":\"Status\"", "\"code\":" + code, "\"reason\":\"" + reason + "\"");
    }

    @Test
    void nonCanonicalPathsAndSemicolonQueriesAreRefusedBeforeTheApiServer() throws Exception {
        cluster.clearRequests();
        for (String bad : List.of("/api//v1/namespaces/default/pods", "/api/v1/namespaces/default/pods/../secrets",
                "/api/v1/namespaces/default/./pods", "/api/v1/namespaces/kube-system%2Fsecrets/pods",
                "/api/v1/namespaces/%2e%2e/secrets", "/api/v1/pods?limit=1;watch=true")) {
            assertStatus(raw("GET", bad, HttpRequest.BodyPublishers.noBody(), AGENT), 400, "BadRequest");
        }
        // (kubegate's own readiness probe of the API server may land meanwhile: it is not a client's call)
        assertThat(cluster.requests()).filteredOn(r -> !r.path().equals("/readyz")).isEmpty();
    }

    @Test
    void missingOrWrongCredentialsAre401() throws Exception {
        assertStatus(raw("GET", "/api/v1/pods", HttpRequest.BodyPublishers.noBody(), null), 401, "Unauthorized");
        assertStatus(raw("GET", "/api/v1/pods", HttpRequest.BodyPublishers.noBody(), "forged"), 401, "Unauthorized");
        // Admin tokens are a different realm: they do not open the Kubernetes API.
        assertStatus(raw("GET", "/api/v1/pods", HttpRequest.BodyPublishers.noBody(), ADMIN), 401, "Unauthorized");
    }

    @Test
    void oversizeBodiesAre413WithOrWithoutContentLength() throws Exception {
        byte[] big = new byte[100 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        assertStatus(raw("POST", "/api/v1/namespaces/default/configmaps", HttpRequest.BodyPublishers.ofByteArray(big), AGENT),
                413, "RequestEntityTooLarge");
        // Without a length (HTTP/2 data frames): cut off at the limit, still a 413 Status.
        assertStatus(raw("POST", "/api/v1/namespaces/default/configmaps",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)), AGENT), 413, "RequestEntityTooLarge");
    }

    @Test
    void apiServerStatusErrorsPassThroughUnchanged() {
        agent().get("/api/v1/namespaces/default/configmaps/does-not-exist")
                .then().statusCode(404).body("kind", equalTo("Status")).body("reason", equalTo("NotFound"));
    }

    @Test
    void aDeadUpstreamIs503AndASilentOneIs504() throws Exception {
        Path dir = Files.createTempDirectory("kubegate-dead-upstream");
        Path agents = dir.resolve("agents.csv");
        Files.writeString(agents, AGENT + ",edge,edge-uid,\"agents\"\n");
        int closedPort = GatewayProcess.freePort();
        try (GatewayProcess dead = GatewayProcess.start(dir.resolve("dead"), Map.of(
                "kubegate.upstream.url", "https://127.0.0.1:" + closedPort,
                "kubegate.upstream.insecure-skip-tls-verify", "true",
                "kubegate.identity.static.tokens-file", agents.toString()))) {
            HttpResponse<String> r = dead.httpClient().send(HttpRequest.newBuilder(URI.create(dead.url() + "/api/v1/pods"))
                    .header("Authorization", "Bearer " + AGENT).build(), HttpResponse.BodyHandlers.ofString());
            assertStatus(r, 503, "ServiceUnavailable");
            assertThat(r.body()).contains("unreachable").contains("\"retryAfterSeconds\":1");
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            // client-go reads Retry-After: real kubectl waits and retries the call before giving up
            Kubectl viaDead = new Kubectl(dead.kubeconfig(dir.resolve("dead.kubeconfig"), AGENT));
            long started = System.nanoTime();
            Kubectl.Result raw = viaDead.run("get", "--raw", "/api/v1/namespaces/default/pods");
            assertThat(raw.exitCode()).isNotZero();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(3));
            long attempts = dead.logText().lines().filter(l -> l.contains("list pods in namespace \"default\" 503")).count();
            assertThat(attempts).as(dead.logText()).isGreaterThan(3);
            HttpResponse<String> ready = dead.httpClient().send(HttpRequest.newBuilder(URI.create(dead.url() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
        }
        try (ServerSocket silent = new ServerSocket(0);
             GatewayProcess slow = GatewayProcess.start(dir.resolve("slow"), Map.of(
                     "kubegate.upstream.url", "http://127.0.0.1:" + silent.getLocalPort(),
                     "kubegate.upstream.response-timeout", "1s",
                     "kubegate.identity.static.tokens-file", agents.toString()))) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) accepted.add(silent.accept()); // accept, never answer
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            HttpResponse<String> r = slow.httpClient().send(HttpRequest.newBuilder(URI.create(slow.url() + "/api/v1/pods"))
                    .header("Authorization", "Bearer " + AGENT).build(), HttpResponse.BodyHandlers.ofString());
            assertStatus(r, 504, "Timeout");
        }
    }

    @Test
    void spdyUpgradesAreTunnelledByteForByte() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new javax.net.ssl.TrustManager[]{TrustAll.INSTANCE}, null);
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // port-forward: exec over SPDY is refused while policy masks exec output (MaskingIT)
            out.write(("POST /api/v1/namespaces/default/pods/web-1/portforward?ports=8080 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAuthorization: Bearer " + AGENT + "\r\nConnection: Upgrade\r\n"
                    + "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // a raw tunnel kubegate cannot mask: the default pack holds it until a human approves
            approveThePendingCall("portforward");
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: SPDY/3.1");
            byte[] payload = {0, 1, 2, (byte) 0xff, 'k', 'u', 'b', 'e'};
            out.write(payload);
            out.flush();
            assertThat(in.readNBytes(payload.length)).isEqualTo(payload);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.openExecSessions() == 0);
    }

    /** Approves, as the admin (an approver), the one pending request for a call on this subresource. */
    private static void approveThePendingCall(String subresource) {
        String id = await().atMost(20, TimeUnit.SECONDS).until(() -> RestAssured.given().baseUri(gateway.url())
                .relaxedHTTPSValidation().header("Authorization", "Bearer " + ADMIN)
                .get("/kubegate/v1/approvals?status=pending").jsonPath()
                .<String>getList("items.findAll { it.request.subresource == '" + subresource + "' }.id"), ids -> ids.size() == 1).get(0);
        RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().header("Authorization", "Bearer " + ADMIN)
                .contentType("application/json").body("{\"reason\": \"tunnel test\"}")
                .post("/kubegate/v1/approvals/" + id + "/approve").then().statusCode(200);
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void metricsCountCallsByClassification() {
        agent().get("/api/v1/namespaces/default/configmaps").then().statusCode(200);
        agent().get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1").then().statusCode(200);
        // A call is counted when its exchange completes, a moment after the client saw the end.
        String metrics = await().atMost(10, TimeUnit.SECONDS).until(
                () -> RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().get("/q/metrics").asString(),
                m -> m.contains("verb=\"watch\""));
        assertThat(metrics).contains("kubegate_http_server_request_duration_seconds_count{code=\"200\",group=\"\",resource=\"configmaps\",subresource=\"\",verb=\"list\"}");
        assertThat(metrics).contains("kubegate_http_server_request_duration_seconds_bucket{");
        assertThat(metrics).contains("kubegate_watches_open");
        assertThat(metrics).contains("kubegate_exec_sessions_open");
    }

    @Test
    void adminStatusNeedsAnAdminToken() {
        RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().header("Authorization", "Bearer " + ADMIN)
                .get("/kubegate/v1/status").then().statusCode(200)
                .body("admin", equalTo("root-human")).body("upstream.ready", equalTo(true));
        RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().header("Authorization", "Bearer " + AGENT)
                .get("/kubegate/v1/status").then().statusCode(401).body("kind", equalTo("Status")).body("code", equalTo(401));
        RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation().get("/q/health/ready")
                .then().statusCode(200).body(containsString("UP"));
    }

    @Test
    void eachCallIsTracedWithItsClassificationAndTheTraceReachesTheApiServer() {
        cluster.clearRequests();
        agent().get("/api/v1/namespaces/default/pods/web-1").then().statusCode(200);
        RecordedRequest seen = cluster.requests().stream().filter(r -> r.path().endsWith("/pods/web-1")).findFirst().orElseThrow();
        String traceId = seen.header("traceparent").split("-")[1];
        byte[] traceIdBytes = HexFormat.of().parseHex(traceId);
        // the spans of one trace may reach the collector in different batches: wait for the server span too
        await().atMost(15, TimeUnit.SECONDS).until(() -> exported(traceIdBytes).contains("kubegate.k8s.verb"));
        String text = exported(traceIdBytes);
        assertThat(text).contains("kubegate.k8s.verb", "kubegate.k8s.resource", "kubegate.k8s.namespace", "web-1",
                "kubegate.authenticate", "kubegate.principal", "server.address", "http.response.status_code");
        // ...and its audit record carries the same trace id, to go from a record to the trace
        await().atMost(10, TimeUnit.SECONDS).until(() -> RestAssured.given().baseUri(gateway.url()).relaxedHTTPSValidation()
                .header("Authorization", "Bearer " + ADMIN).get("/kubegate/v1/audit/events?namespace=default&verb=get&limit=1000")
                .asString(), events -> events.contains("\"trace\":\"" + traceId + "\""));
    }

    /** Every export batch that holds spans of this trace, as Latin-1 text (protobuf: the strings read as they are). */
    private String exported(byte[] traceIdBytes) {
        return exportedTraces.stream().filter(b -> contains(b.getBytes(), traceIdBytes)).reduce(Buffer.buffer(), Buffer::appendBuffer)
                .toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    /** Raw-socket test only: the kubectl tests verify the gateway's CA for real. */
    enum TrustAll implements javax.net.ssl.X509TrustManager {
        INSTANCE;

        public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
        }

        public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
        }

        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
