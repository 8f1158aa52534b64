package dev.kubegate.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link FakeKubeApiServer} until killed, for use by hand and by the load-test harness.
 *
 * <pre>
 * FakeKubeApiServerMain [--http1] [--port N] [--token T] [--latency-ms N] [--seed-pods N] KUBECONFIG_PATH
 * </pre>
 * Prints {@code url=...} and {@code kubeconfig=...} on stdout once listening, then serves until
 * SIGTERM. {@code --seed-pods} creates pods {@code pod-0..N-1} (label app=seed) in namespace
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
        Path kubeconfig = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--http1" -> b.http2(false);
                case "--port" -> b.port(Integer.parseInt(args[++i]));
                case "--token" -> b.token(args[++i]);
                case "--latency-ms" -> b.latency(Duration.ofMillis(Long.parseLong(args[++i])));
                case "--seed-pods" -> seedPods = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: FakeKubeApiServerMain [--http1] [--port N] [--token T] [--latency-ms N] [--seed-pods N] KUBECONFIG_PATH");
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("url=" + server.url());
        System.out.println("kubeconfig=" + kubeconfig.toAbsolutePath());
        System.out.flush();
        stopped.await();
    }
}
