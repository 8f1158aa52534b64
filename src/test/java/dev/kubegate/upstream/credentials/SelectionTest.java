package dev.kubegate.upstream.credentials;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which source the factory picks, in-cluster details, EKS wiring and the explicit overrides. */
class SelectionTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static String caPem;
    static String otherCaPem;

    @TempDir
    Path dir;
    Path saDir;
    ManualScheduler scheduler = new ManualScheduler(T0);
    UpstreamCredentialsFactory.Hooks hooks = new UpstreamCredentialsFactory.Hooks();
    TestUpstream cfg = new TestUpstream();
    Map<String, String> env = new HashMap<>();
    List<String> described = new ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        caPem = TestPki.selfSigned(TestPki.ec(), "cluster-ca");
        otherCaPem = TestPki.selfSigned(TestPki.ec(), "other-ca");
    }

    @BeforeEach
    void setUp() {
        saDir = dir.resolve("sa");
        hooks.serviceAccountDir = saDir;
        hooks.scheduler = () -> scheduler;
        hooks.clock = scheduler.clock;
        hooks.awsCredentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret"));
        hooks.eksDescriber = (name, region, creds) -> {
            described.add(name + "@" + region.id());
            return new EksAws.ClusterInfo("https://ABC.gr7." + region.id() + ".eks.amazonaws.com", Optional.of(caPem));
        };
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", dir.resolve("home").toString());
    }

    UpstreamCredentials create() {
        return UpstreamCredentialsFactory.create(cfg.source(), env, hooks);
    }

    Path write(String relative, String content) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static String kubeconfig(String server, String token) {
        return """
                current-context: ctx
                clusters: [{name: c, cluster: {server: "%s"}}]
                users: [{name: u, user: {token: "%s"}}]
                contexts: [{name: ctx, context: {cluster: c, user: u}}]
                """.formatted(server, token);
    }

    void inCluster(String host) throws Exception {
        env.put("KUBERNETES_SERVICE_HOST", host);
        env.put("KUBERNETES_SERVICE_PORT", "443");
        write("sa/token", "sa-token\n");
        write("sa/ca.crt", caPem);
        write("sa/namespace", "kubegate-system");
    }

    static String jwt(long exp) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        return e.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(("{\"sub\":\"system:serviceaccount:ns:kubegate\",\"exp\":" + exp + "}")
                .getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    // ---- selection order --------------------------------------------------------------------------------------

    @Test
    void eksWinsOverEverythingElse() throws Exception {
        inCluster("10.96.0.1");
        cfg.kubeconfig = write("kc", kubeconfig("https://kc", "kc-token"));
        cfg.eksCluster = "prod";
        cfg.eksRegion = "eu-west-1";
        try (UpstreamCredentials c = create()) {
            assertThat(described).containsExactly("prod@eu-west-1");
            assertThat(c.server()).isEqualTo(URI.create("https://ABC.gr7.eu-west-1.eks.amazonaws.com"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.bearerToken().orElseThrow()).startsWith("k8s-aws-v1.");
            assertThat(EksTokenTest.decode(c.bearerToken().get()).getHost()).isEqualTo("sts.eu-west-1.amazonaws.com");
            assertThat(c.describe()).isEqualTo("EKS cluster prod in eu-west-1 (default AWS credentials)");
            assertThat(scheduler.lastDelay()).isEqualTo(Duration.ofMinutes(10));
        }
    }

    @Test
    void eksTakesItsRegionFromTheEnvironmentAndSkipsDiscoveryWhenUrlIsSet() throws Exception {
        cfg.eksCluster = "prod";
        cfg.eksRole = "arn:aws:iam::111122223333:role/kubegate";
        cfg.url = "https://vpce.example:443";
        cfg.caFile = write("ca.pem", otherCaPem);
        env.put("AWS_REGION", "ap-southeast-2");
        try (UpstreamCredentials c = create()) {
            assertThat(described).isEmpty();
            assertThat(c.server()).isEqualTo(URI.create("https://vpce.example:443"));
            assertThat(c.tls().caPem()).contains(otherCaPem);
            assertThat(EksTokenTest.decode(c.bearerToken().orElseThrow()).getHost()).isEqualTo("sts.ap-southeast-2.amazonaws.com");
            assertThat(c.describe()).isEqualTo("EKS cluster prod in ap-southeast-2 (role arn:aws:iam::111122223333:role/kubegate)");
        }
    }

    @Test
    void eksDiscoveryFailureSaysWhatToDo() {
        cfg.eksCluster = "prod";
        cfg.eksRegion = "us-east-1";
        hooks.eksDescriber = (n, r, c) -> {
            throw new RuntimeException("User is not authorized to perform: eks:DescribeCluster");
        };
        assertThatThrownBy(this::create).isInstanceOf(UpstreamCredentialsException.class)
                .hasMessage("EKS cluster prod in us-east-1: DescribeCluster failed (User is not authorized to perform: "
                        + "eks:DescribeCluster): grant eks:DescribeCluster, or set kubegate.upstream.url and "
                        + "kubegate.upstream.ca-file");
        assertThat(scheduler.closed).isTrue(); // nothing left running after a failed start
    }

    @Test
    void eksSessionNameIsSanitizedHostname() {
        assertThat(EksAws.sessionName(Map.of("HOSTNAME", "kubegate-7d9f/abc:1"))).isEqualTo("kubegate-kubegate-7d9f-abc-1");
        assertThat(EksAws.sessionName(Map.of("HOSTNAME", "x".repeat(100)))).hasSize(64);
    }

    @Test
    void explicitKubeconfigWinsOverInCluster() throws Exception {
        inCluster("10.96.0.1");
        cfg.kubeconfig = write("kc", kubeconfig("https://kc:6443", "kc-token"));
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://kc:6443"));
            assertThat(c.bearerToken()).contains("kc-token");
        }
    }

    @Test
    void explicitKubeconfigMustExist() {
        cfg.kubeconfig = dir.resolve("nope");
        assertThatThrownBy(this::create).hasMessage("kubegate.upstream.kubeconfig " + dir.resolve("nope")
                + " does not exist or is not a file");
    }

    @Test
    void inClusterWinsOverKubeconfigFromTheEnvironment() throws Exception {
        inCluster("10.96.0.1");
        env.put("KUBECONFIG", write("kc", kubeconfig("https://kc", "kc-token")).toString());
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://10.96.0.1:443"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.bearerToken()).contains("sa-token");
            assertThat(c.describe()).isEqualTo("in-cluster service account kubegate-system (" + saDir + ")");
        }
    }

    @Test
    void inClusterNeedsTheTokenFile() throws Exception {
        inCluster("10.96.0.1");
        Files.delete(saDir.resolve("token")); // automountServiceAccountToken: false
        env.put("KUBECONFIG", write("kc", kubeconfig("https://kc", "kc-token")).toString());
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://kc"));
        }
    }

    @Test
    void inClusterBracketsIpv6AndRereadsTheRotatedToken() throws Exception {
        inCluster("fd00:10:96::1");
        long exp = T0.plus(Duration.ofHours(1)).getEpochSecond();
        Files.writeString(saDir.resolve("token"), jwt(exp));
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://[fd00:10:96::1]:443"));
            assertThat(c.bearerToken()).contains(jwt(exp));

            long exp2 = exp + 3600;
            Files.writeString(saDir.resolve("token"), jwt(exp2)); // the kubelet rotated it
            assertThat(scheduler.runNext()).isEqualTo(Duration.ofMinutes(1));
            assertThat(c.bearerToken()).contains(jwt(exp2));

            Files.delete(saDir.resolve("token")); // unreadable from now on: the cached JWT serves until its exp
            scheduler.clock.set(Instant.ofEpochSecond(exp2 - 120));
            scheduler.runNext(); // at exp2 - 60: fails, keeps the cached token
            assertThat(c.ready()).isTrue();
            scheduler.clock.set(Instant.ofEpochSecond(exp2));
            assertThat(c.ready()).isFalse();
            assertThat(c.bearerToken()).contains(jwt(exp2));
        }
    }

    @Test
    void kubeconfigEnvironmentListIsMergedFirstDefinitionWins() throws Exception {
        write("a/ca.crt", caPem);
        Path first = write("a/config", """
                clusters: [{name: c, cluster: {server: "https://first:6443", certificate-authority: ca.crt}}]
                users: [{name: u, user: {token: first-token}}]
                contexts: [{name: ctx, context: {cluster: c, user: u}}]
                """);
        write("b/ca.crt", otherCaPem);
        Path second = write("b/config", """
                current-context: ctx
                clusters:
                - {name: c, cluster: {server: "https://second:6443"}}
                - {name: c2, cluster: {server: "https://c2:6443", certificate-authority: ca.crt}}
                users: [{name: u, user: {token: second-token}}]
                contexts:
                - {name: ctx, context: {cluster: c2, user: u}}
                - {name: other, context: {cluster: c2, user: u}}
                """);
        env.put("KUBECONFIG", dir.resolve("missing") + ":" + first + ":" + second);
        try (UpstreamCredentials c = create()) {
            // current-context from the second file; ctx, c (CA relative to a/) and u from the first
            assertThat(c.server()).isEqualTo(URI.create("https://first:6443"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.bearerToken()).contains("first-token");
            assertThat(c.describe()).isEqualTo("kubeconfig " + first + ":" + second + " context ctx (user u)");
        }
        cfg.context = "other";
        try (UpstreamCredentials c = create()) {
            // c2 and its CA relative to b/, the file that defines it; u still from the first file
            assertThat(c.server()).isEqualTo(URI.create("https://c2:6443"));
            assertThat(c.tls().caPem()).contains(otherCaPem);
            assertThat(c.bearerToken()).contains("first-token");
        }
    }

    @Test
    void homeKubeconfigIsTheLastFileToTry() throws Exception {
        env.put("KUBECONFIG", dir.resolve("missing").toString());
        write("home/.kube/config", kubeconfig("https://home:6443", "home-token"));
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://home:6443"));
        }
    }

    @Test
    void urlAloneWithCaAndTokenFile() throws Exception {
        cfg.url = "https://api.example:6443/";
        cfg.caFile = write("ca.pem", caPem);
        cfg.tokenFile = write("token", "file-token\n");
        try (UpstreamCredentials c = create()) {
            assertThat(c.server()).isEqualTo(URI.create("https://api.example:6443"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.bearerToken()).contains("file-token");
            assertThat(c.describe()).isEqualTo("url https://api.example:6443/, token from " + cfg.tokenFile);
            Files.writeString(cfg.tokenFile, "rotated");
            scheduler.runNext();
            assertThat(c.bearerToken()).contains("rotated");
        }
    }

    @Test
    void urlAloneIsAnonymousWithoutATokenFile() {
        cfg.url = "http://127.0.0.1:8001"; // kubectl proxy
        try (UpstreamCredentials c = create()) {
            assertThat(c.bearerToken()).isEmpty();
            assertThat(c.tls()).isEqualTo(TlsMaterial.none());
            assertThat(c.ready()).isTrue();
        }
    }

    @Test
    void nothingConfiguredSaysWhatToSet() {
        assertThatThrownBy(this::create).isInstanceOf(UpstreamCredentialsException.class)
                .hasMessageStartingWith("No upstream Kubernetes API server is configured. Set one of: "
                        + "kubegate.upstream.eks.cluster-name")
                .hasMessageContaining("kubegate.upstream.kubeconfig")
                .hasMessageContaining("kubegate.upstream.url with kubegate.upstream.ca-file and kubegate.upstream.token-file");
    }

    @Test
    void explicitSettingsOverrideTheSource() throws Exception {
        cfg.kubeconfig = write("kc", """
                current-context: ctx
                clusters: [{name: c, cluster: {server: "https://kc:6443", tls-server-name: kc.internal}}]
                users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubegate-never-run}}}]
                contexts: [{name: ctx, context: {cluster: c, user: u}}]
                """);
        cfg.url = "https://proxy.example:8443/k8s";
        cfg.caFile = write("ca.pem", otherCaPem);
        cfg.tokenFile = write("token", "override-token");
        cfg.insecure = true;
        try (UpstreamCredentials c = create()) { // the exec plugin would fail: token-file keeps it from starting
            assertThat(c.server()).isEqualTo(URI.create("https://proxy.example:8443/k8s"));
            assertThat(c.tls().caPem()).contains(otherCaPem);
            assertThat(c.tls().serverName()).contains("kc.internal");
            assertThat(c.tls().insecureSkipVerify()).isTrue();
            assertThat(c.bearerToken()).contains("override-token");
            assertThat(c.describe()).isEqualTo("kubeconfig " + cfg.kubeconfig + " context ctx (user u), server from "
                    + "kubegate.upstream.url, TLS verification OFF, token from " + cfg.tokenFile);
        }
    }

    @Test
    void badOverridesAreNamed() throws Exception {
        cfg.url = "not a url";
        assertThatThrownBy(this::create).hasMessageStartingWith("kubegate.upstream.url \"not a url\" is not a valid URL");
        cfg.url = "https://ok";
        cfg.caFile = write("notca", "hello");
        assertThatThrownBy(this::create).hasMessage("kubegate.upstream.ca-file " + cfg.caFile
                + " holds no PEM certificate (expected a BEGIN CERTIFICATE block)");
        cfg.caFile = null;
        cfg.tokenFile = write("empty", "\n");
        assertThatThrownBy(this::create).hasMessage("kubegate.upstream.token-file: file " + cfg.tokenFile + " is empty");
    }

    @Test
    void closeStopsTheScheduler() throws Exception {
        cfg.url = "https://h";
        cfg.tokenFile = write("token", "t");
        UpstreamCredentials c = create();
        c.close();
        assertThat(scheduler.closed).isTrue();
        assertThat(scheduler.pending.get(0).future().isCancelled()).isTrue();
    }
}
