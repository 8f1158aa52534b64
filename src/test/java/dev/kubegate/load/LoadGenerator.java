package dev.kubegate.load;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;

/**
 * Compares kubegate with the API server it fronts, in one run: the same scenarios against both,
 * alternating which goes first from round to round, and prints requests/s, latency percentiles, CPU
 * per request and the gateway/direct ratios. {@code load-tests/run.sh} starts the processes and calls
 * this; see {@code load-tests/README.md}.
 *
 * <pre>
 * LoadGenerator --direct-kubeconfig F [--direct-pid N] --gateway-kubeconfig F [--gateway-pid N]
 *     [--upstream-stats URL] [--protocol h2|h1] [--connections N] [--duration S] [--warmup S]
 *     [--rounds N] [--jit-warmup S] [--scenarios get-c1,get-c16,get-c64,list-5mb,watch-1000,secrets-20mb]
 *     [--targets direct,gateway] [--watches N] [--watch-connections N] [--list-bytes N] [--secret-list-bytes N] [--out FILE] [--label TEXT]
 * </pre>
 * Every request goes to the two kubeconfigs' servers only (127.0.0.1 in run.sh); loops are bounded
 * by the durations given.
 */
public final class LoadGenerator {

    /** A throughput scenario: GET {@code path} with {@code concurrency} requests in flight. */
    record Scenario(String name, String title, String path, int concurrency) {
    }

    private record Key(String scenario, String target) {
    }

    /** Results of one scenario and target summed over rounds. */
    private static final class Sum {
        long requests;
        long errors;
        double seconds;
        long bytes;
        final Histogram latency = new Histogram(120_000_000L, 3);
        final Map<String, Double> cpu = new HashMap<>();
        double busiestUpstream;
        String busiestUpstreamName = "-";
        String firstError;

        void add(ClosedLoop.Result r, Map<Long, String> roles) {
            requests += r.requests();
            errors += r.errors();
            seconds += r.seconds();
            bytes += r.bytes();
            latency.add(r.latencyMicros());
            r.cpu().forEach((pid, s) -> cpu.merge(roles.get(pid), s, Double::sum));
            Map.Entry<String, Double> up = r.busiest().entrySet().stream()
                    .filter(e -> "upstream".equals(roles.get(e.getKey()))).map(Map.Entry::getValue).findFirst().orElse(null);
            if (up != null && up.getValue() > busiestUpstream) {
                busiestUpstream = up.getValue();
                busiestUpstreamName = up.getKey();
            }
            if (firstError == null) {
                firstError = r.firstError();
            }
        }

        double rps() {
            return requests / seconds;
        }

        double ms(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
        }

        double cpuMsPerRequest(String role) {
            Double s = cpu.get(role);
            return s == null || requests == 0 ? Double.NaN : s * 1000 / requests;
        }
    }

    private final Map<String, String> args;
    private final Vertx vertx;
    private final Endpoint direct;
    private final Endpoint gateway;
    private final boolean http2;
    private final Duration duration;
    private final Duration warmup;
    private final int rounds;
    private final String statsUrl;
    private final Map<Long, String> roles = new LinkedHashMap<>();
    /** Which endpoints get load: both normally; one alone for profiling. */
    private final List<String> targets;
    private final java.net.http.HttpClient plain = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoadGenerator(Map<String, String> args) throws Exception {
        this.args = args;
        long gatewayPid = Long.parseLong(args.getOrDefault("gateway-pid", "0"));
        long upstreamPid = Long.parseLong(args.getOrDefault("direct-pid", "0"));
        this.direct = Endpoint.fromKubeconfig("direct", Path.of(required("direct-kubeconfig")), upstreamPid);
        this.gateway = Endpoint.fromKubeconfig("gateway", Path.of(required("gateway-kubeconfig")), gatewayPid);
        this.http2 = !"h1".equals(args.getOrDefault("protocol", "h2"));
        this.duration = Duration.ofMillis((long) (Double.parseDouble(args.getOrDefault("duration", "10")) * 1000));
        this.warmup = Duration.ofMillis((long) (Double.parseDouble(args.getOrDefault("warmup", "3")) * 1000));
        this.rounds = Integer.parseInt(args.getOrDefault("rounds", "2"));
        this.statsUrl = args.get("upstream-stats");
        this.targets = Arrays.asList(args.getOrDefault("targets", "direct,gateway").split(","));
        roles.put(ProcessHandle.current().pid(), "loadgen");
        if (gatewayPid > 0) {
            roles.put(gatewayPid, "gateway");
        }
        if (upstreamPid > 0) {
            roles.put(upstreamPid, "upstream");
        }
        // one event loop: the generator should cost as little CPU as it can on a 2-core machine
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setBlockedThreadCheckInterval(60_000));
    }

    private String required(String key) {
        String v = args.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < Math.max(argv.length, 1); i++) {
            if (argv.length == 0 || !argv[i].startsWith("--") || i + 1 >= argv.length) {
                System.err.println("""
                        usage: LoadGenerator --direct-kubeconfig F [--direct-pid N] --gateway-kubeconfig F [--gateway-pid N]
                            [--upstream-stats URL] [--protocol h2|h1] [--connections N] [--duration S] [--warmup S]
                            [--jit-warmup S] [--rounds N] [--scenarios get-c1,get-c16,get-c64,list-5mb,watch-1000,secrets-20mb]
                            [--targets direct,gateway] [--watches N] [--watch-connections N] [--list-bytes N] [--secret-list-bytes N]
                            [--out FILE] [--label TEXT]""");
                System.exit(2);
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        LoadGenerator g = new LoadGenerator(args);
        int failures;
        try {
            failures = g.run();
        } finally {
            g.vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private int run() throws Exception {
        List<String> wanted = Arrays.asList(args.getOrDefault("scenarios", "get-c1,get-c16,get-c64,list-5mb,watch-1000").split(","));
        int connections = Integer.parseInt(args.getOrDefault("connections", "1"));
        long listBytes = Long.parseLong(args.getOrDefault("list-bytes", Long.toString(5L << 20)));
        int watchCount = Integer.parseInt(args.getOrDefault("watches", "1000"));
        Duration jitWarmup = Duration.ofSeconds(Long.parseLong(args.getOrDefault("jit-warmup", "30")));

        HttpClient control = direct.client(vertx, http2, 4);
        awaitGatewayReady();
        log("seeding through %s", direct.server());
        Seeder.seedPod(control, direct);
        long listSize = wanted.contains("list-5mb") ? Seeder.seedList(control, direct, listBytes) : 0;
        long secretsSize = wanted.contains("secrets-20mb")
                ? Seeder.seedSecretList(control, direct, Long.parseLong(args.getOrDefault("secret-list-bytes", Long.toString(20L << 20)))) : 0;
        if (wanted.contains("watch-1000")) {
            WatchScenario.seed(control, direct);
        }
        String pod = "/api/v1/namespaces/" + Seeder.POD_NAMESPACE + "/pods/" + Seeder.POD;
        List<Scenario> scenarios = new ArrayList<>();
        for (String s : wanted) {
            switch (s) {
                case "get-c1" -> scenarios.add(new Scenario(s, "small GET, c=1", pod, 1));
                case "get-c16" -> scenarios.add(new Scenario(s, "small GET, c=16", pod, 16));
                case "get-c64" -> scenarios.add(new Scenario(s, "small GET, c=64", pod, 64));
                case "list-5mb" -> scenarios.add(new Scenario(s, "%.1f MB list, c=4".formatted(listSize / 1e6), Seeder.LIST_PATH, 4));
                // masked by kubegate (default policy): the same list, every Secret value replaced
                case "secrets-20mb" -> scenarios.add(new Scenario(s, "%.1f MB Secret list (masked through kubegate), c=2"
                        .formatted(secretsSize / 1e6), Seeder.SECRETS_PATH, 2));
                case "watch-1000" -> { }
                default -> throw new IllegalArgumentException("unknown scenario " + s);
            }
        }

        Map<Key, Sum> sums = new LinkedHashMap<>();
        if (!scenarios.isEmpty() && jitWarmup.toMillis() > 0) {
            // kubegate is a large Quarkus application: its JIT needs tens of seconds of traffic
            // (longer on a busy machine) before C2 stops competing with the event loops for CPU.
            log("warming up the JIT of both targets: %d s of small GETs and %d s of lists each",
                    jitWarmup.toSeconds(), jitWarmup.toSeconds() / 4);
            for (Endpoint ep : endpoints(List.of(direct, gateway))) {
                warn(ep, load(ep, new Scenario("warm-up", "", pod, 16), connections, Duration.ZERO, jitWarmup));
                if (listSize > 0) {
                    warn(ep, load(ep, new Scenario("warm-up", "", Seeder.LIST_PATH, 2), connections, Duration.ZERO, jitWarmup.dividedBy(4)));
                }
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (Scenario s : scenarios) {
                List<Endpoint> order = round % 2 == 0 ? List.of(direct, gateway) : List.of(gateway, direct);
                for (Endpoint ep : endpoints(order)) {
                    ClosedLoop.Result r = load(ep, s, connections, warmup, duration);
                    log("round %d %-8s %-7s %8.0f req/s p50 %7.2f ms p99 %7.2f ms errors %d", round + 1, s.name(), ep.name(),
                            r.perSecond(), r.latencyMicros().getValueAtPercentile(50) / 1000.0,
                            r.latencyMicros().getValueAtPercentile(99) / 1000.0, r.errors());
                    sums.computeIfAbsent(new Key(s.name(), ep.name()), k -> new Sum()).add(r, roles);
                }
            }
        }

        List<WatchScenario.Result> watches = new ArrayList<>();
        if (wanted.contains("watch-1000")) {
            for (Endpoint ep : endpoints(List.of(direct, gateway))) {
                int conns = http2 ? Integer.parseInt(args.getOrDefault("watch-connections", "16")) : watchCount + 8;
                HttpClient client = ep.client(vertx, http2, conns);
                log("watch: opening %d watches on %s (%s)", watchCount, ep.name(), ep.server());
                WatchScenario.Result r = new WatchScenario(vertx, ep, client, direct, control, watchCount, 5,
                        this::upstreamOpenWatches, ep == gateway ? () -> gatewayOpenWatches(client) : () -> 0).run();
                log("watch: %s established %d/%d in %.1f s, heap/watch %s, events %d/%d, upstream open after close %d",
                        ep.name(), r.established(), r.requested(), r.establishSeconds(), kib(r.heapPerWatch()),
                        r.delivered(), r.expected(), r.upstreamAfterClose());
                watches.add(r);
                client.close();
                Thread.sleep(1000);
            }
        }
        control.close();

        String report = report(scenarios, sums, watches, connections);
        System.out.println();
        System.out.println(report);
        if (args.containsKey("out")) {
            Path out = Path.of(args.get("out"));
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, report);
        }
        return failures(sums, watches);
    }

    private static void warn(Endpoint ep, ClosedLoop.Result warmup) {
        if (warmup.errors() > 0) {
            log("WARNING: %d errors while warming up %s, first: %s", warmup.errors(), ep.name(), warmup.firstError());
        }
    }

    private List<Endpoint> endpoints(List<Endpoint> order) {
        return order.stream().filter(e -> targets.contains(e.name())).toList();
    }

    private ClosedLoop.Result load(Endpoint ep, Scenario s, int connections, Duration warm, Duration measure) {
        HttpClient client = ep.client(vertx, http2, http2 ? connections : s.concurrency());
        try {
            return new ClosedLoop(vertx, client, ep, s.path(), s.concurrency(), warm, measure, List.copyOf(roles.keySet())).run();
        } finally {
            client.close();
        }
    }

    /** kubegate answers /q/health/ready with 200 once its upstream answered /readyz; 90 s at most. */
    private void awaitGatewayReady() throws InterruptedException {
        HttpClient c = gateway.client(vertx, false, 1);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                try {
                    Http.Response r = Http.call(c, gateway, HttpMethod.GET, "/q/health/ready", null, null);
                    if (r.status() == 200) {
                        return;
                    }
                    last = r.status() + " " + r.text();
                } catch (IllegalStateException e) {
                    last = e.getMessage();
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException("kubegate is not ready after 90 s: " + last);
        } finally {
            c.close();
        }
    }

    private int upstreamOpenWatches() {
        if (statsUrl == null) {
            return -1;
        }
        try {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(statsUrl)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("\"openWatches\":(\\d+)").matcher(r.body());
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static final Pattern WATCHES_OPEN = Pattern.compile("(?m)^kubegate_watches_open(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");

    private int gatewayOpenWatches(HttpClient client) {
        try {
            // Accept: text/plain, else Quarkus answers the JSON rendering of the registry
            Http.Response r = Http.await(Http.send(client, gateway.request(HttpMethod.GET, "/q/metrics")
                    .putHeader("Accept", "text/plain"), null), Duration.ofSeconds(30));
            Matcher m = WATCHES_OPEN.matcher(r.text());
            if (!m.find()) {
                System.err.println("no kubegate_watches_open in /q/metrics (HTTP " + r.status() + ")");
                return -1;
            }
            return (int) Double.parseDouble(m.group(1));
        } catch (Exception e) {
            System.err.println("cannot read kubegate's /q/metrics: " + e);
            return -1;
        }
    }

    // ---- report -----------------------------------------------------------------------------

    private String report(List<Scenario> scenarios, Map<Key, Sum> sums, List<WatchScenario.Result> watches, int connections) {
        StringBuilder b = new StringBuilder();
        String when = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"));
        b.append("### kubegate vs direct — ").append(when);
        if (args.containsKey("label")) {
            b.append(" — ").append(args.get("label"));
        }
        b.append("\n\n");
        b.append("Protocol %s, %s; %d round(s) × %d s measured per scenario and target after a %d s warm-up, order alternating.\n"
                .formatted(http2 ? "HTTP/2" : "HTTP/1.1",
                        http2 ? connections + " connection(s) per target" : "one connection per request in flight",
                        rounds, duration.toSeconds(), warmup.toSeconds()));
        b.append("Upstream %s; gateway %s. CPU columns: CPU time of each process per request (ms).\n\n"
                .formatted(direct.server(), gateway.server()));
        if (!scenarios.isEmpty()) {
            b.append("| scenario | target | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | MB/s | CPU gateway | CPU upstream | CPU loadgen | upstream busiest thread |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (Scenario s : scenarios) {
                for (String t : targets) {
                    Sum x = sums.get(new Key(s.name(), t));
                    b.append("| %s | %s | %.0f | %.2f | %.2f | %.2f | %.1f | %d | %.1f | %s | %s | %s | %s |\n".formatted(
                            s.title(), t, x.rps(), x.ms(50), x.ms(90), x.ms(99), x.ms(100), x.errors,
                            x.bytes / x.seconds / 1e6, cpu(x, "gateway"), cpu(x, "upstream"), cpu(x, "loadgen"),
                            roles.containsValue("upstream") ? "%.0f%% %s".formatted(x.busiestUpstream * 100, x.busiestUpstreamName) : "-"));
                }
            }
        }
        if (!scenarios.isEmpty() && targets.size() == 2) {
            b.append("\n| scenario | throughput gateway/direct | added p50 ms | added p99 ms | ≥ 0.8× | p99 +≤ 2 ms |\n");
            b.append("|---|---:|---:|---:|:-:|:-:|\n");
            for (Scenario s : scenarios) {
                Sum d = sums.get(new Key(s.name(), "direct"));
                Sum g = sums.get(new Key(s.name(), "gateway"));
                double ratio = g.rps() / d.rps();
                double p50 = g.ms(50) - d.ms(50);
                double p99 = g.ms(99) - d.ms(99);
                b.append("| %s | %.2f× | %+.2f | %+.2f | %s | %s |\n".formatted(s.title(), ratio, p50, p99,
                        ratio >= 0.8 ? "yes" : "**no**", p99 <= 2.0 ? "yes" : "**no**"));
            }
            b.append('\n');
        }
        if (!watches.isEmpty()) {
            b.append("| watches | target | established | in s | establish p99 ms | heap per watch | RSS per watch | events delivered | delivery p50 / p99 ms | open upstream: during → after cancel | kubegate_watches_open after | cancel s | headers before 1st event |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|:-:|\n");
            for (WatchScenario.Result w : watches) {
                b.append("| %d | %s | %d%s | %.1f | %.0f | %s | %s | %d / %d | %.0f / %.0f | %s → %s | %s | %.1f | %s |\n".formatted(
                        w.requested(), w.target(), w.established(), w.failed() > 0 ? " (" + w.failed() + " failed: " + w.firstError() + ")" : "",
                        w.establishSeconds(), w.establishMicros().getValueAtPercentile(99) / 1000.0,
                        kib(w.heapPerWatch()) + (w.target().equals("direct") ? " (upstream)" : ""), kib(w.rssPerWatch()),
                        w.delivered(), w.expected(),
                        w.deliveryMicros().getValueAtPercentile(50) / 1000.0, w.deliveryMicros().getValueAtPercentile(99) / 1000.0,
                        n(w.upstreamOpen()), n(w.upstreamAfterClose()),
                        w.target().equals("gateway") ? n(w.gatewayAfterClose()) : "-", w.closeSeconds(),
                        w.headersWithoutEvent() == null ? "-" : w.headersWithoutEvent() ? "yes" : "**no** (" + Math.round(w.headersMillis()) + " ms)"));
            }
            watches.stream().filter(w -> w.target().equals("gateway")).findFirst().ifPresent(w -> b.append(
                    "\nHeap per open watch through kubegate: %s (target ≤ 100 KiB): %s.\n".formatted(kib(w.heapPerWatch()),
                            w.heapPerWatch() < 0 ? "not measured" : w.heapPerWatch() <= 100 * 1024 ? "yes" : "**no**")));
        }
        return b.toString();
    }

    private static String cpu(Sum x, String role) {
        double v = x.cpuMsPerRequest(role);
        return Double.isNaN(v) ? "-" : "%.3f".formatted(v);
    }

    private static String n(int v) {
        return v < 0 ? "?" : Integer.toString(v);
    }

    static String kib(long bytes) {
        return bytes < 0 ? "n/a" : "%.1f KiB".formatted(bytes / 1024.0);
    }

    /** Errors, missed watches or events, and watches left open upstream make the run fail. */
    private static int failures(Map<Key, Sum> sums, List<WatchScenario.Result> watches) {
        int f = 0;
        for (Map.Entry<Key, Sum> e : sums.entrySet()) {
            if (e.getValue().errors > 0 || e.getValue().requests == 0) {
                System.err.println("FAIL " + e.getKey() + ": " + e.getValue().errors + " errors, first: " + e.getValue().firstError);
                f++;
            }
        }
        for (WatchScenario.Result w : watches) {
            if (w.established() != w.requested() || w.delivered() != w.expected() || w.upstreamAfterClose() > w.upstreamBefore()
                    || w.gatewayAfterClose() > 0) {
                System.err.println("FAIL watches " + w.target() + ": established " + w.established() + "/" + w.requested()
                        + ", events " + w.delivered() + "/" + w.expected() + ", upstream open after cancel " + w.upstreamAfterClose()
                        + ", gateway open after cancel " + w.gatewayAfterClose());
                f++;
            }
        }
        return f;
    }

    private static void log(String fmt, Object... a) {
        System.out.printf(Locale.ROOT, "[load %tT] " + fmt + "%n", prepend(java.time.LocalTime.now(), a));
        System.out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
