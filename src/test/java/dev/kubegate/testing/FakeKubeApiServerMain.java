package dev.kubegate.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.sun.net.httpserver.HttpServer;

/**
 * Runs a {@link FakeKubeApiServer} until killed, for use by hand and by the load-test harness.
 *
 * <pre>
 * FakeKubeApiServerMain [--http1] [--port N] [--token T] [--latency-ms N] [--seed-pods N] [--stats-port N] KUBECONFIG_PATH
 * </pre>
 * Prints {@code url=...} and {@code kubeconfig=...} on stdout once listening, then serves until
 * SIGTERM. {@code --stats-port} (0: any free port) also serves {@code GET /stats} on plain HTTP at
 * 127.0.0.1 — {@code {"openWatches":N,"openLogStreams":N,"openExecSessions":N}} — on a listener of its
 * own, outside the fake API (the load tests check that cancelled watches end upstream), and prints
 * {@code stats=URL}. {@code --seed-pods} creates pods {@code pod-0..N-1} (label app=seed) in namespace
 * default, each with ten log lines. It keeps only the last 1000 recorded requests.
 *
 * <p>It lives on the test classpath:
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java -cp target/test-classes:target/classes:$(cat target/test.classpath) \
 *     dev.kubegate.testing.FakeKubeApiServerMain --seed-pods 100 /tmp/fake.kubeconfig
 * KUBECONFIG=/tmp/fake.kubeconfig kubectl get pods
 * </pre>
 */
public final class FakeKubeApiServerMain {
    private FakeKubeApiServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        FakeKubeApiServer.Options.Builder b = FakeKubeApiServer.Options.builder();
        int seedPods = 0;
        Integer statsPort = null;
        Path kubeconfig = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--http1" -> b.http2(false);
                case "--port" -> b.port(Integer.parseInt(args[++i]));
                case "--token" -> b.token(args[++i]);
                case "--latency-ms" -> b.latency(Duration.ofMillis(Long.parseLong(args[++i])));
                case "--seed-pods" -> seedPods = Integer.parseInt(args[++i]);
                case "--stats-port" -> statsPort = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: FakeKubeApiServerMain [--http1] [--port N] [--token T] [--latency-ms N] [--seed-pods N] [--stats-port N] KUBECONFIG_PATH");
                    return;
                }
                default -> kubeconfig = Path.of(args[i]);
            }
        }
        if (kubeconfig == null) {
            System.err.println("a kubeconfig path is required (--help)");
            System.exit(2);
        }
        // load tests record nothing they would read: keep memory flat
        FakeKubeApiServer server = FakeKubeApiServer.start(b.maxRecordedRequests(1000).build());
        for (int i = 0; i < seedPods; i++) {
            server.putObject("""
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-%d","namespace":"default","labels":{"app":"seed"}},
                     "spec":{"containers":[{"name":"main","image":"busybox"}]}}""".formatted(i));
            List<String> lines = new ArrayList<>();
            for (int l = 0; l < 10; l++) {
                lines.add("pod-" + i + " log line " + l);
            }
            server.addPodLogLines("default", "pod-" + i, lines);
        }
        server.writeKubeconfig(kubeconfig);
        HttpServer stats = statsPort == null ? null : statsServer(server, statsPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stats != null) {
                stats.stop(0);
            }
            server.close();
            stopped.countDown();
        }));
        System.out.println("url=" + server.url());
        System.out.println("kubeconfig=" + kubeconfig.toAbsolutePath());
        if (stats != null) {
            System.out.println("stats=http://127.0.0.1:" + stats.getAddress().getPort() + "/stats");
        }
        System.out.flush();
        stopped.await();
    }

    /** The open streams of {@code server} as JSON, on a JDK HTTP server of its own (not the fake API). */
    private static HttpServer statsServer(FakeKubeApiServer server, int port) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            http.createContext("/stats", exchange -> {
                byte[] body = ("{\"openWatches\":%d,\"openLogStreams\":%d,\"openExecSessions\":%d}".formatted(
                        server.openWatches(), server.openLogStreams(), server.openExecSessions()))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.start();
            return http;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for --stats-port " + port, e);
        }
    }
}
