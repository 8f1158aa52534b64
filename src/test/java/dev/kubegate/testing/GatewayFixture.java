package dev.kubegate.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The common set-up of an end-to-end test class, as a JUnit extension: a temp directory, a cluster
 * (the {@link FakeKubeApiServer}, or the {@link RealKubeApiServer}), the agents' and admins' token
 * files, and one {@link GatewayProcess} started with them and the class's own settings — ready
 * before the class's {@code @BeforeAll} runs, closed after its {@code @AfterAll}.
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayFixture kubegate = GatewayFixture.fakeCluster("kubegate-masking")
 *         .agent(TOKEN, "masker", "agents")
 *         .setting("kubegate.approval.wait", "1s");
 * }</pre>
 * For several replicas: {@link #replicas(int)} starts that many gateways with the same settings and
 * one serving certificate (as behind one DNS name), in {@code <dir>/r<i>}; {@link #postgresStore()} gives
 * them a shared state store in a real PostgreSQL; {@link #behindHaProxy()} puts HAProxy (TCP, TLS
 * passthrough, readiness checks) in front of them.
 */
public final class GatewayFixture implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final boolean real;
    private final StringBuilder agents = new StringBuilder();
    private final StringBuilder admins = new StringBuilder();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private final Map<String, Path> copies = new LinkedHashMap<>();
    private final Map<String, Supplier<String>> later = new LinkedHashMap<>();
    private final List<Starter> beforeStart = new ArrayList<>();
    private FakeKubeApiServer.Options clusterOptions = FakeKubeApiServer.Options.defaults();

    private int replicaCount = 1;
    private boolean withPostgres;
    private boolean withHaProxy;

    private Path dir;
    private FakeKubeApiServer cluster;
    private RealKubeApiServer apiserver;
    private Postgres pg;
    private HaProxy lb;
    private Map<String, String> started;
    private final List<GatewayProcess> replicas = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private GatewayFixture(String name, boolean real) {
        this.name = name;
        this.real = real;
    }

    /** Against the fake API server (which also serves logs and exec). */
    public static GatewayFixture fakeCluster(String name) {
        return new GatewayFixture(name, false);
    }

    /** Against the fake API server started with {@code options} (e.g. with a {@code deny} rule). */
    public static GatewayFixture fakeCluster(String name, FakeKubeApiServer.Options options) {
        GatewayFixture fixture = new GatewayFixture(name, false);
        fixture.clusterOptions = options;
        return fixture;
    }

    /** Against the real kube-apiserver; skipped (or failed, when all are required) when it is switched off. */
    public static GatewayFixture realApiServer(String name) {
        return new GatewayFixture(name, true);
    }

    /** A line of the agents' static tokens file. */
    public GatewayFixture agent(String token, String user, String groups) {
        agents.append(token).append(',').append(user).append(',').append(user).append("-uid,\"").append(groups).append("\"\n");
        return this;
    }

    /** A line of the admins' (approvers') tokens file; sets {@code kubegate.admin.tokens-file}. */
    public GatewayFixture admin(String token, String user, String groups) {
        return admin(token, user, user + "-uid", groups);
    }

    /** As {@link #admin(String, String, String)} with a uid of its own (one person with two tokens). */
    public GatewayFixture admin(String token, String user, String uid, String groups) {
        admins.append(token).append(',').append(user).append(',').append(uid).append(",\"").append(groups).append("\"\n");
        return this;
    }

    public GatewayFixture setting(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** A setting known only once {@link #beforeStart} ran (e.g. the URL of a webhook receiver it started). */
    public GatewayFixture setting(String key, Supplier<String> value) {
        later.put(key, value);
        return this;
    }

    /** Something to start before the gateway (a webhook receiver, a collector); the test's {@code @AfterAll} stops it. */
    public GatewayFixture beforeStart(Starter starter) {
        beforeStart.add(starter);
        return this;
    }

    /** What {@link #beforeStart} runs. */
    @FunctionalInterface
    public interface Starter {
        void start() throws Exception;
    }

    /** A file written into the temp directory before the gateway starts; {@code key} is set to its path. */
    public GatewayFixture file(String key, String fileName, String content) {
        files.put(fileName, content);
        settings.put(key, fileName);
        return this;
    }

    /** {@code n} gateways with the same settings and one serving certificate, in {@code <dir>/r0 .. r<n-1>}. */
    public GatewayFixture replicas(int n) {
        replicaCount = n;
        return this;
    }

    /** A real PostgreSQL as the replicas' shared state store ({@code kubegate.store=postgres}, 2 s timeout). */
    public GatewayFixture postgresStore() {
        withPostgres = true;
        return this;
    }

    /** HAProxy in front of the replicas: {@link #lb()}. */
    public GatewayFixture behindHaProxy() {
        withHaProxy = true;
        return this;
    }

    /** A copy of {@code source} in the temp directory (e.g. a binary bundle the test later changes); {@code key} is set to its path. */
    public GatewayFixture copy(String key, String fileName, Path source) {
        copies.put(fileName, source);
        settings.put(key, fileName);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (real) {
            Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", context.getDisplayName() + ", against the real kube-apiserver");
        }
        if (withPostgres) {
            Prerequisites.require(Postgres.installed(), "PostgreSQL 15 binaries (" + Postgres.BIN + ")");
        }
        if (withHaProxy) {
            Prerequisites.require(HaProxy.installed(), "haproxy (" + HaProxy.BINARY + ")");
        }
        dir = Files.createTempDirectory(name);
        if (withPostgres) {
            pg = Postgres.start();
        }
        Map<String, String> all = new LinkedHashMap<>();
        if (real) {
            apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
            all.put("kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString());
        } else {
            cluster = FakeKubeApiServer.start(clusterOptions);
            all.put("kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString());
        }
        if (!agents.isEmpty()) {
            all.put("kubegate.identity.static.tokens-file", write("agents.csv", agents.toString()).toString());
        }
        if (!admins.isEmpty()) {
            all.put("kubegate.admin.tokens-file", write("admins.csv", admins.toString()).toString());
        }
        if (withPostgres) {
            all.put("kubegate.store", "postgres");
            all.put("kubegate.postgres.url", pg.reactiveUrl());
            all.put("kubegate.postgres.timeout", "2s");
        }
        for (Map.Entry<String, String> s : settings.entrySet()) {
            String value = s.getValue();
            if (files.containsKey(value)) {
                value = write(value, files.get(value)).toString();
            } else if (copies.containsKey(value)) {
                value = Files.copy(copies.get(value), dir.resolve(value)).toString();
            }
            all.put(s.getKey(), value);
        }
        for (Starter starter : beforeStart) {
            starter.start();
        }
        later.forEach((key, value) -> all.put(key, value.get()));
        started = all;
        if (replicaCount == 1) {
            replicas.add(GatewayProcess.start(dir.resolve("gateway"), all));
        } else {
            for (int i = 0; i < replicaCount; i++) {
                ports.add(GatewayProcess.freePort());
                if (i > 0) {
                    GatewayProcess.shareServingCertificate(replicas.get(0), dir.resolve("r" + i));
                }
                replicas.add(GatewayProcess.start(dir.resolve("r" + i), all, ports.get(i)));
            }
        }
        for (GatewayProcess r : replicas) {
            r.awaitReady();
        }
        if (withHaProxy) {
            lb = HaProxy.start(dir.resolve("haproxy"), ports);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (lb != null) lb.close();
        for (GatewayProcess r : replicas) {
            if (r != null) r.close();
        }
        if (cluster != null) cluster.close();
        if (apiserver != null) apiserver.close();
        if (pg != null) pg.close();
    }

    /**
     * Starts replica {@code i} again on its port and work directory (state, audit, certificate kept),
     * after it stopped or was killed; its previous log is kept beside as {@code kubegate-<n>.log}.
     * Returns it once it listens (not yet ready).
     */
    public GatewayProcess restart(int i) throws Exception {
        Path work = dir.resolve("r" + i);
        Files.move(work.resolve("kubegate.log"), work.resolve("kubegate-" + System.nanoTime() + ".log"));
        replicas.set(i, GatewayProcess.start(work, started, ports.get(i)));
        return replicas.get(i);
    }

    private Path write(String fileName, String content) throws Exception {
        return Files.writeString(dir.resolve(fileName), content);
    }

    public Path dir() {
        return dir;
    }

    /** The gateway (the first replica). */
    public GatewayProcess gateway() {
        return replicas.get(0);
    }

    public GatewayProcess replica(int i) {
        return replicas.get(i);
    }

    /** The replicas as they are now (a restarted one replaces its predecessor). */
    public List<GatewayProcess> replicas() {
        return List.copyOf(replicas);
    }

    /** The settings every replica started with (ports and data directories aside). */
    public Map<String, String> settings() {
        return started;
    }

    /** The load balancer in front of the replicas; null without {@link #behindHaProxy()}. */
    public HaProxy lb() {
        return lb;
    }

    /** The shared PostgreSQL; null without {@link #postgresStore()}. */
    public Postgres postgres() {
        return pg;
    }

    /** The fake API server; null against the real one. */
    public FakeKubeApiServer cluster() {
        return cluster;
    }

    /** The real API server; null against the fake one. */
    public RealKubeApiServer apiserver() {
        return apiserver;
    }

    /** kubectl through the gateway with {@code token}; its kubeconfig is {@code <dir>/<fileName>}. */
    public Kubectl kubectl(String fileName, String token) throws Exception {
        return new Kubectl(gateway().kubeconfig(dir.resolve(fileName), token));
    }
}
