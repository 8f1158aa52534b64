package dev.kubegate.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
 */
public final class GatewayFixture implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final boolean real;
    private final StringBuilder agents = new StringBuilder();
    private final StringBuilder admins = new StringBuilder();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> files = new LinkedHashMap<>();

    private Path dir;
    private FakeKubeApiServer cluster;
    private RealKubeApiServer apiserver;
    private GatewayProcess gateway;

    private GatewayFixture(String name, boolean real) {
        this.name = name;
        this.real = real;
    }

    /** Against the fake API server (which also serves logs and exec). */
    public static GatewayFixture fakeCluster(String name) {
        return new GatewayFixture(name, false);
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
        admins.append(token).append(',').append(user).append(',').append(user).append("-uid,\"").append(groups).append("\"\n");
        return this;
    }

    public GatewayFixture setting(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** A file written into the temp directory before the gateway starts; {@code key} is set to its path. */
    public GatewayFixture file(String key, String fileName, String content) {
        files.put(fileName, content);
        settings.put(key, fileName);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (real) {
            Prerequisites.unlessSwitchedOff("kubegate.it.real-apiserver", context.getDisplayName() + ", against the real kube-apiserver");
        }
        dir = Files.createTempDirectory(name);
        Map<String, String> all = new LinkedHashMap<>();
        if (real) {
            apiserver = RealKubeApiServer.start(dir.resolve("apiserver"));
            all.put("kubegate.upstream.kubeconfig", apiserver.gatewayKubeconfig().toString());
        } else {
            cluster = FakeKubeApiServer.start(FakeKubeApiServer.Options.defaults());
            all.put("kubegate.upstream.kubeconfig", cluster.writeKubeconfig(dir.resolve("upstream.kubeconfig")).toString());
        }
        all.put("kubegate.identity.static.tokens-file", write("agents.csv", agents.toString()).toString());
        if (!admins.isEmpty()) {
            all.put("kubegate.admin.tokens-file", write("admins.csv", admins.toString()).toString());
        }
        for (Map.Entry<String, String> s : settings.entrySet()) {
            String file = files.containsKey(s.getValue()) ? write(s.getValue(), files.get(s.getValue())).toString() : s.getValue();
            all.put(s.getKey(), file);
        }
        gateway = GatewayProcess.start(dir.resolve("gateway"), all);
        gateway.awaitReady();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (gateway != null) gateway.close();
        if (cluster != null) cluster.close();
        if (apiserver != null) apiserver.close();
    }

    private Path write(String fileName, String content) throws Exception {
        return Files.writeString(dir.resolve(fileName), content);
    }

    public Path dir() {
        return dir;
    }

    public GatewayProcess gateway() {
        return gateway;
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
        return new Kubectl(gateway.kubeconfig(dir.resolve(fileName), token));
    }
}
