package dev.kubegate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.testing.GatewayFixture;
import dev.kubegate.testing.GatewayProcess;
import dev.kubegate.testing.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three kubegate replicas behind HAProxy (TCP, TLS passthrough, readiness checks), one real
 * PostgreSQL, the API test double as the cluster. While kubectl calls and watches run through the
 * balancer: one replica is stopped gracefully and restarted, another holding a pending approval is
 * SIGKILLed and restarted. The load continues through the others, the held approval survives and
 * is approved on another replica, a revocation applies on every replica within a second, every
 * replica's audit chain verifies, and every mutation that got an answer has its audit record.
 */
class HighAvailabilityIT {

    static final String AGENT = "ha-agent-" + UUID.randomUUID();
    static final String ADMIN = "ha-admin-" + UUID.randomUUID();
    static final String NS = "ha-load";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Calls overlapping [kill, kill + this] may fail: they were in flight on, or routed to, the killed replica. */
    static final long KILL_WINDOW_MS = 5_000;

    @RegisterExtension
    static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-ha")
            .agent(AGENT, "alice", "agents")
            .admin(ADMIN, "bob", "admins,kubegate-approvers")
            // The load deletes far more than the pack's per-session delete budget (10) allows without approval.
            .file("kubegate.policy.data", "policy-data.json", "{\"kubegate\": {\"budgets\": {\"deletes\": 1000000, \"mutations\": 1000000}}}")
            .setting("kubegate.approval.wait", "60s")
            .setting("kubegate.audit.checkpoint-interval", "1s")
            .setting("kubegate.audit.fsync", "always")
            // Like behind the NLB: a stopping replica stays up briefly so the balancer's checks see it unready.
            .setting("kubegate.shutdown.drain-delay", "1500ms")
            .setting("kubegate.shutdown.timeout", "20s")
            // One serving certificate (and CA) for all replicas, as behind one DNS name: kubectl trusts each.
            .replicas(3).postgresStore().behindHaProxy();

    static Path dir;
    static Kubectl agentViaLb;

    /** One kubectl call's outcome, with when it ran (System.nanoTime, ms). */
    record Call(String what, String name, long startMs, long endMs, int exitCode, String stderr) {
        boolean overlaps(long fromMs, long toMs) {
            return startMs <= toMs && endMs >= fromMs;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dir = kubegate.dir();
        int port0 = replica(0).port();
        Path kubeconfig = replica(0).kubeconfig(dir.resolve("alice-direct.kubeconfig"), AGENT);
        Path viaLb = dir.resolve("alice-lb.kubeconfig");
        String text = Files.readString(kubeconfig);
        assertThat(text).contains("127.0.0.1:" + port0);
        Files.writeString(viaLb, text.replace("127.0.0.1:" + port0, "127.0.0.1:" + kubegate.lb().port()));
        agentViaLb = new Kubectl(viaLb).withTimeout(Duration.ofSeconds(90));
        agentViaLb.run("create", "namespace", NS).assertSuccess();
    }

    static GatewayProcess replica(int i) {
        return kubegate.replica(i);
    }

    static long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    static HttpResponse<String> call(GatewayProcess g, String method, String path, String bearer) throws Exception {
        return g.httpClient().send(HttpRequest.newBuilder(URI.create(g.url() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + bearer).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Kubectl direct(int replica, String name) throws Exception {
        return new Kubectl(replica(replica).kubeconfig(dir.resolve(name + ".kubeconfig"), AGENT)).withTimeout(Duration.ofSeconds(90));
    }

    static void restart(int i) throws Exception {
        kubegate.restart(i).awaitReady();
    }

    static Call timed(String what, String name, String... args) {
        long t0 = nowMs();
        Kubectl.Result r;
        try {
            r = agentViaLb.run(args);
        } catch (AssertionError timedOut) {
            return new Call(what, name, t0, nowMs(), -1, String.valueOf(timedOut.getMessage()));
        }
        return new Call(what, name, t0, nowMs(), r.exitCode(), r.stderr());
    }

    @Test
    void theLoadContinuesApprovalsSurviveRevocationsApplyEverywhereAndEveryAnswerIsAudited() throws Exception {
        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Call> watchEnds = new ConcurrentLinkedQueue<>();
        List<Kubectl.Running> openWatches = new java.util.concurrent.CopyOnWriteArrayList<>();
        StringBuffer watched = new StringBuffer();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        for (int t = 0; t < 3; t++) {
            int thread = t;
            pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String name = "cm-" + thread + "-" + i;
                    calls.add(timed("get", name, "-n", NS, "get", "pods"));
                    Call created = timed("create", name, "-n", NS, "create", "configmap", name, "--from-literal=k=v");
                    calls.add(created);
                    if (created.exitCode() == 0) {
                        calls.add(timed("delete", name, "-n", NS, "delete", "configmap", name));
                    }
                }
                return null;
            });
        }
        for (int w = 0; w < 2; w++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    long t0 = nowMs();
                    Kubectl.Running watch = agentViaLb.start("-n", NS, "get", "configmaps", "-w", "--output-watch-events", "-o", "name");
                    openWatches.add(watch);
                    while (watch.isAlive() && !stop.get()) {
                        Thread.sleep(100);
                    }
                    openWatches.remove(watch);
                    if (stop.get()) {
                        watch.close();
                        watched.append(watch.stdout());
                        return null;
                    }
                    int code = watch.waitFor(Duration.ofSeconds(5));
                    watched.append(watch.stdout());
                    watchEnds.add(new Call("watch", "", t0, nowMs(), code, watch.stderr()));
                }
                return null;
            });
        }
        try {
            await().atMost(90, TimeUnit.SECONDS).until(() -> succeeded(calls, "delete") >= 10);

            // 1. Graceful stop of replica 0 (a rolling update): nothing fails; its watches end cleanly.
            long beforeStop = succeeded(calls, "delete");
            Kubectl.Running watchOnReplica0 = direct(0, "alice-r0").start("-n", NS, "get", "configmaps", "-w", "-o", "name");
            watchOnReplica0.awaitStdout("configmap/cm-", Duration.ofSeconds(30));
            replica(0).terminate();
            assertThat(watchOnReplica0.waitFor(Duration.ofSeconds(30))).as("kubectl -w on a stopping replica ends cleanly: "
                    + watchOnReplica0.stderr()).isZero();
            // The JVM exits with 143 (128 + SIGTERM) once its shutdown hooks finished: the graceful path.
            assertThat(replica(0).awaitExit(Duration.ofSeconds(40))).as(replica(0).logText()).isIn(0, 143);
            assertThat(replica(0).logText()).contains("kubegate stopped in");
            await().atMost(60, TimeUnit.SECONDS).until(() -> succeeded(calls, "delete") >= beforeStop + 10);
            restart(0);

            // 2. A call held for approval on replica 1, then replica 1 is SIGKILLed.
            Kubectl onReplica1 = direct(1, "alice-r1");
            onReplica1.run("create", "namespace", "ha-held").assertSuccess();
            long killedAt;
            String approvalId;
            try (Kubectl.Running held = onReplica1.start("delete", "namespace", "ha-held")) {
                approvalId = pendingOn(2, "ha-held");
                assertThat(held.isAlive()).isTrue();
                killedAt = nowMs();
                replica(1).kill();
                assertThat(held.waitFor(Duration.ofSeconds(30))).as("the held call loses its replica").isNotZero();
            }
            // The request is in the store: listed and approved through another replica; the retry succeeds.
            assertThat(pendingOn(0, "ha-held")).isEqualTo(approvalId);
            HttpResponse<String> approved = call(replica(2), "POST", "/kubegate/v1/approvals/" + approvalId + "/approve", ADMIN);
            assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
            agentViaLb.run("delete", "namespace", "ha-held").assertSuccess();
            long afterKill = succeeded(calls, "delete");
            await().atMost(60, TimeUnit.SECONDS).until(() -> succeeded(calls, "delete") >= afterKill + 10);
            restart(1);
            long afterRestart = succeeded(calls, "delete");
            await().atMost(60, TimeUnit.SECONDS).until(() -> succeeded(calls, "delete") >= afterRestart + 10);

            // 3. A revocation through one replica is refused on every other replica within a second.
            for (int revoker = 0; revoker < 3; revoker++) {
                HttpResponse<String> login = call(replica(revoker), "POST", "/kubegate/v1/sessions", AGENT);
                assertThat(login.statusCode()).as(login.body()).isEqualTo(201);
                JsonNode cred = JSON.readTree(login.body());
                String token = cred.path("status").path("token").asText();
                for (GatewayProcess r : kubegate.replicas()) {
                    assertThat(call(r, "GET", "/api/v1/namespaces", token).statusCode()).isEqualTo(200);
                }
                long t0 = System.nanoTime();
                HttpResponse<String> revoked = call(replica(revoker), "DELETE", "/kubegate/v1/sessions/" + cred.path("session").path("id").asText(), ADMIN);
                assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
                for (int other = 0; other < 3; other++) {
                    if (other != revoker) {
                        long ms = untilStatus(replica(other), token, 401, t0, Duration.ofSeconds(1));
                        System.out.printf("revocation on replica %d refused on replica %d after %d ms%n", revoker, other, ms);
                    }
                }
            }

            // The load ran through all of it: only calls around the SIGKILL may fail; both watches are open again.
            await().atMost(20, TimeUnit.SECONDS).until(() -> openWatches.size() == 2);
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            for (Kubectl.Running w : openWatches) {
                w.close();
            }
            long windowEnd = killedAt + KILL_WINDOW_MS;
            List<Call> failed = calls.stream().filter(c -> c.exitCode() != 0 && !c.overlaps(killedAt, windowEnd)).toList();
            assertThat(failed).as("calls failed outside the SIGKILL window").isEmpty();
            System.out.printf("load: %d kubectl calls, %d failed (all within %d ms of the SIGKILL); %d watches ended and were re-established%n",
                    calls.size(), calls.stream().filter(c -> c.exitCode() != 0).count(), KILL_WINDOW_MS, watchEnds.size());
            assertThat(watchEnds.stream().filter(c -> !c.overlaps(killedAt, windowEnd)))
                    .as("watches end cleanly on a graceful stop").allMatch(c -> c.exitCode() == 0);
            assertThat(watched.toString()).contains("configmap/cm-");

            // 4. Every mutation that got an answer has its audit record on some replica.
            Set<String> created = new HashSet<>();
            Set<String> deleted = new HashSet<>();
            for (Call c : calls) {
                if (c.exitCode() == 0 && c.what().equals("create")) created.add(c.name());
                if (c.exitCode() == 0 && c.what().equals("delete")) deleted.add(c.name());
            }
            assertThat(created).hasSizeGreaterThan(30);
            await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
                Set<String> recordedCreates = new HashSet<>();
                Set<String> recordedDeletes = new HashSet<>();
                for (GatewayProcess r : kubegate.replicas()) {
                    recordedCreates.addAll(objectNames(r, "create"));
                    recordedDeletes.addAll(objectNames(r, "delete"));
                }
                assertThat(recordedCreates).containsAll(created);
                assertThat(recordedDeletes).containsAll(deleted);
            });
        } finally {
            System.out.printf("calls: %d, failed: %s; watch ends: %s%n", calls.size(),
                    calls.stream().filter(c -> c.exitCode() != 0).limit(20).toList(), watchEnds);
            stop.set(true);
            pool.shutdownNow();
            for (Kubectl.Running w : openWatches) {
                w.close();
            }
        }

        // 5. Every replica's audit chain (across its restarts) verifies.
        for (int i = 0; i < 3; i++) {
            replica(i).close();
            Path audit = dir.resolve("r" + i).resolve("data/audit");
            Kubectl.Result v = cli(dir.resolve("r" + i).resolve("data"), "audit", "verify", audit.toString());
            assertThat(v.exitCode()).as("replica %d: %s%s", i, v.stdout(), v.stderr()).isZero();
        }
    }

    static long succeeded(ConcurrentLinkedQueue<Call> calls, String what) {
        return calls.stream().filter(c -> c.exitCode() == 0 && c.what().equals(what)).count();
    }

    static String pendingOn(int replica, String namespace) {
        String[] id = new String[1];
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode item : JSON.readTree(call(replica(replica), "GET", "/kubegate/v1/approvals?status=pending", ADMIN).body()).path("items")) {
                if (namespace.equals(item.path("request").path("name").asText())) {
                    id[0] = item.path("id").asText();
                    return true;
                }
            }
            return false;
        });
        return id[0];
    }

    static long untilStatus(GatewayProcess g, String token, int code, long startNanos, Duration max) throws Exception {
        long deadline = startNanos + max.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            last = call(g, "GET", "/api/v1/namespaces", token).statusCode();
            if (last == code) {
                return (System.nanoTime() - startNanos) / 1_000_000;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("still " + last + " after " + max + ", expected " + code);
    }

    static JsonNode events(GatewayProcess g, String verb) throws Exception {
        HttpResponse<String> r = call(g, "GET", "/kubegate/v1/audit/events?principal=alice&resource=configmaps&verb=" + verb + "&limit=1000", ADMIN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode events = JSON.readTree(r.body());
        assertThat(events.path("truncated").asBoolean(false)).isFalse();
        return events;
    }

    static Set<String> objectNames(GatewayProcess g, String verb) throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode e : events(g, verb).path("items")) {
            // The name from the URL (delete), else the one kubegate read from the body (create).
            String name = e.path("request").path("name").asText();
            names.add(name.isEmpty() ? e.path("request").path("objectName").asText() : name);
        }
        return names;
    }

    static Kubectl.Result cli(Path dataDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkubegate.data-dir=" + dataDir, "-jar", GatewayProcess.app().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Kubectl.Result(List.of(args), p.exitValue(), out, err);
    }
}
