package dev.kubegate.upstream.credentials;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;

import static dev.kubegate.upstream.credentials.TestPki.b64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeconfigTest {

    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static String caPem;
    static String rsaCertPem;
    static String rsaPkcs1Pem;
    static String ecCertPem;
    static String ecSec1Pem;

    @TempDir
    Path dir;
    ManualScheduler scheduler = new ManualScheduler(T0);

    @BeforeAll
    static void pki() throws Exception {
        caPem = TestPki.selfSigned(TestPki.ec(), "test-ca");
        KeyPair rsa = TestPki.rsa();
        rsaCertPem = TestPki.selfSigned(rsa, "rsa-user");
        rsaPkcs1Pem = TestPki.pkcs1Pem(rsa.getPrivate());
        KeyPair ec = TestPki.ec();
        ecCertPem = TestPki.selfSigned(ec, "ec-user");
        ecSec1Pem = TestPki.sec1Pem(ec.getPrivate(), true);
    }

    UpstreamCredentials create(Path kubeconfig, String context) {
        return create(kubeconfig, context, Map.of("PATH", System.getenv("PATH")));
    }

    UpstreamCredentials create(Path kubeconfig, String context, Map<String, String> env) {
        TestUpstream cfg = new TestUpstream();
        cfg.kubeconfig = kubeconfig;
        cfg.context = context;
        UpstreamCredentialsFactory.Hooks hooks = new UpstreamCredentialsFactory.Hooks();
        hooks.scheduler = () -> scheduler;
        hooks.clock = scheduler.clock;
        hooks.serviceAccountDir = dir.resolve("no-service-account");
        return UpstreamCredentialsFactory.create(cfg.source(), env, hooks);
    }

    Path write(String relative, String content) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static String config(String clusterBody, String userBody) {
        return """
                apiVersion: v1
                kind: Config
                current-context: main
                clusters:
                - name: c1
                  cluster:
                %s
                users:
                - name: u1
                  user:
                %s
                contexts:
                - name: main
                  context: {cluster: c1, user: u1, namespace: default}
                """.formatted(indent(clusterBody), indent(userBody));
    }

    static String indent(String s) {
        return s.strip().lines().map(l -> "    " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @Test
    void inlineDataFieldsAndPkcs1KeyConvertedToPkcs8() throws Exception {
        Path kc = write("config", config("""
                server: https://10.0.0.1:6443/
                certificate-authority-data: %s
                tls-server-name: kubernetes.default
                """.formatted(b64(caPem)), """
                client-certificate-data: %s
                client-key-data: %s
                token: static-token
                """.formatted(b64(rsaCertPem), b64(rsaPkcs1Pem))));

        try (UpstreamCredentials c = create(kc, null)) {
            assertThat(c.server()).isEqualTo(URI.create("https://10.0.0.1:6443"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.tls().serverName()).contains("kubernetes.default");
            assertThat(c.tls().insecureSkipVerify()).isFalse();
            assertThat(c.tls().clientCertPem()).contains(rsaCertPem);
            assertThat(c.tls().clientKeyPkcs8Pem().orElseThrow()).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(c.bearerToken()).contains("static-token");
            assertThat(c.ready()).isTrue();
            assertThat(c.describe()).isEqualTo("kubeconfig " + kc + " context main (user u1)")
                    .doesNotContain("static-token");
            assertThat(c.tls().toString()).doesNotContain("PRIVATE");
        }
    }

    @Test
    void filePathsResolveAgainstTheKubeconfigsDirectoryAndEcKeysConvert() throws Exception {
        write("kube/pki/ca.crt", caPem);
        write("kube/pki/user.crt", ecCertPem);
        write("kube/pki/user.key", ecSec1Pem);
        Path kc = write("kube/config", config("""
                server: https://[fd00::1]:6443/prefix
                certificate-authority: pki/ca.crt
                """, """
                client-certificate: pki/user.crt
                client-key: %s
                """.formatted(dir.resolve("kube/pki/user.key")))); // absolute paths work too

        try (UpstreamCredentials c = create(kc, null)) {
            assertThat(c.server()).isEqualTo(URI.create("https://[fd00::1]:6443/prefix"));
            assertThat(c.tls().caPem()).contains(caPem);
            assertThat(c.tls().clientCertPem()).contains(ecCertPem);
            assertThat(c.tls().clientKeyPkcs8Pem().orElseThrow()).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(c.bearerToken()).isEmpty();
        }
    }

    @Test
    void missingReferencedFileIsNamed() throws Exception {
        Path kc = write("config", config("server: https://h\ncertificate-authority: nope/ca.crt", "token: t"));
        assertThatThrownBy(() -> create(kc, null)).isInstanceOf(UpstreamCredentialsException.class)
                .hasMessage("kubeconfig " + kc + " cluster \"c1\" certificate-authority: file "
                        + dir.resolve("nope/ca.crt") + " does not exist");
    }

    static final String TWO_CONTEXTS = """
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster: {server: "https://dev.example:6443", insecure-skip-tls-verify: true}
            - name: prod-cluster
              cluster: {server: "https://prod.example:443"}
            users:
            - name: dev-user
              user: {token: dev-token}
            - name: prod-user
              user: {token: prod-token}
            contexts:
            - name: dev
              context: {cluster: dev-cluster, user: dev-user}
            - name: prod
              context: {cluster: prod-cluster, user: prod-user}
            - name: broken
              context: {cluster: gone, user: dev-user}
            - name: nouser
              context: {cluster: prod-cluster, user: ghost}
            """;

    @Test
    void currentContextOrTheConfiguredOne() throws Exception {
        Path kc = write("config", TWO_CONTEXTS);
        try (UpstreamCredentials dev = create(kc, null); UpstreamCredentials prod = create(kc, "prod")) {
            assertThat(dev.server()).isEqualTo(URI.create("https://dev.example:6443"));
            assertThat(dev.tls().insecureSkipVerify()).isTrue();
            assertThat(dev.bearerToken()).contains("dev-token");
            assertThat(prod.server()).isEqualTo(URI.create("https://prod.example:443"));
            assertThat(prod.tls().insecureSkipVerify()).isFalse();
            assertThat(prod.bearerToken()).contains("prod-token");
            assertThat(prod.describe()).isEqualTo("kubeconfig " + kc + " context prod (user prod-user)");
        }
    }

    @Test
    void missingContextClusterOrUserIsExplained() throws Exception {
        Path kc = write("config", TWO_CONTEXTS);
        assertThatThrownBy(() -> create(kc, "staging")).isInstanceOf(UpstreamCredentialsException.class)
                .hasMessage("kubeconfig " + kc + " has no context \"staging\" (it has dev, prod, broken, nouser)");
        assertThatThrownBy(() -> create(kc, "broken"))
                .hasMessage("kubeconfig " + kc + ": context \"broken\" refers to cluster \"gone\", which is not defined "
                        + "(clusters: dev-cluster, prod-cluster)");
        assertThatThrownBy(() -> create(kc, "nouser"))
                .hasMessage("kubeconfig " + kc + ": context \"nouser\" refers to user \"ghost\", which is not defined "
                        + "(users: dev-user, prod-user)");
        Path noCurrent = write("nocurrent", TWO_CONTEXTS.replace("current-context: dev", ""));
        assertThatThrownBy(() -> create(noCurrent, null))
                .hasMessage("kubeconfig " + noCurrent + " sets no current-context: set kubegate.upstream.context to one of "
                        + "dev, prod, broken, nouser");
    }

    @Test
    void unsupportedFormsAreRefusedWithAWayOut() throws Exception {
        Path authProvider = write("ap", config("server: https://h", "auth-provider: {name: gcp, config: {}}"));
        assertThatThrownBy(() -> create(authProvider, null))
                .hasMessageContaining("uses auth-provider \"gcp\", which kubegate does not support")
                .hasMessageContaining("use an exec credential plugin instead");
        Path basic = write("basic", config("server: https://h", "username: admin\npassword: secret"));
        assertThatThrownBy(() -> create(basic, null))
                .hasMessageContaining("username/password (basic authentication)").hasMessageNotContaining("secret");
        Path proxy = write("proxy", config("server: https://h\nproxy-url: socks5://localhost:1080", "token: t"));
        assertThatThrownBy(() -> create(proxy, null)).hasMessageContaining("sets proxy-url, which kubegate does not support");
        Path as = write("as", config("server: https://h", "token: t\nas: admin\nas-groups: [system:masters]"));
        assertThatThrownBy(() -> create(as, null)).hasMessageContaining("sets as (impersonation)");
        Path both = write("both", config("server: https://h", "token: t\nexec: {apiVersion: client.authentication.k8s.io/v1beta1, command: x}"));
        assertThatThrownBy(() -> create(both, null)).hasMessageContaining("sets both exec and token/tokenFile");
        Path noServer = write("noserver", config("insecure-skip-tls-verify: true", "token: t"));
        assertThatThrownBy(() -> create(noServer, null)).hasMessageContaining("the cluster of context \"main\" has no server");
        Path badServer = write("badserver", config("server: ftp://h", "token: t"));
        assertThatThrownBy(() -> create(badServer, null)).hasMessageContaining("\"ftp://h\" is not an http(s) URL");
        Path certOnly = write("certonly", config("server: https://h", "client-certificate-data: " + b64(rsaCertPem)));
        assertThatThrownBy(() -> create(certOnly, null)).hasMessageContaining("client certificate without a client key");
        Path notYaml = write("notyaml", "clusters: [unclosed");
        assertThatThrownBy(() -> create(notYaml, null)).hasMessageStartingWith("kubeconfig " + notYaml + " cannot be read");
    }

    @Test
    void tokenFileIsRereadEveryMinute() throws Exception {
        Path token = write("kube/token", "first\n");
        Path kc = write("kube/config", config("server: https://h", "tokenFile: token"));
        try (UpstreamCredentials c = create(kc, null)) {
            assertThat(c.bearerToken()).contains("first");
            Files.writeString(token, "second");
            assertThat(scheduler.runNext()).isEqualTo(TokenFile.REREAD);
            assertThat(c.bearerToken()).contains("second");
            Files.delete(token); // a failed re-read keeps the last token: opaque tokens have no known expiry
            scheduler.runNext();
            assertThat(c.bearerToken()).contains("second");
            assertThat(c.ready()).isTrue();
        }
    }

    // ---- exec plugins ----------------------------------------------------------------------------------------

    /** Counts its runs, records KUBERNETES_EXEC_INFO and its arguments, prints an ExecCredential. */
    Path plugin() throws Exception {
        Path script = write("bin/plugin.sh", """
                #!/bin/sh
                n=$(( $(cat "$COUNTER" 2>/dev/null || echo 0) + 1 ))
                echo "$n" > "$COUNTER"
                printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_OUT"
                echo "$*" > "$ARGS_OUT"
                if [ -n "$FAIL" ]; then echo "error: $FAIL" >&2; exit 3; fi
                if [ -n "$EXPIRE_IN" ]; then EXPIRY=$(date -u -d "+$EXPIRE_IN seconds" +%Y-%m-%dT%H:%M:%SZ); fi
                if [ -n "$CERT_FILE" ]; then
                  cert=$(awk '{printf "%s\\\\n", $0}' "$CERT_FILE"); key=$(awk '{printf "%s\\\\n", $0}' "$KEY_FILE")
                  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}' "$API" "$cert" "$key"
                  exit 0
                fi
                printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s-%s","expirationTimestamp":"%s"}}\\n' "$API" "$n" "$1" "$EXPIRY"
                """);
        script.toFile().setExecutable(true);
        return script;
    }

    String execUser(String apiVersion, String command, String extraEnv, String extra) {
        return """
                exec:
                  apiVersion: %s
                  command: %s
                  args: ["--cluster", "c1"]
                  interactiveMode: Never
                  env:
                  - {name: API, value: "%s"}
                  - {name: COUNTER, value: "%s"}
                  - {name: INFO_OUT, value: "%s"}
                  - {name: ARGS_OUT, value: "%s"}
                %s
                %s
                """.formatted(apiVersion, command, apiVersion, dir.resolve("count"), dir.resolve("info.json"),
                dir.resolve("args"), extraEnv.isBlank() ? "" : indentBy(extraEnv, 2), indentBy(extra, 2));
    }

    static String indentBy(String s, int n) {
        return s.strip().lines().map(l -> " ".repeat(n) + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @Test
    void execPluginRunsLikeClientGoAndIsReRunBeforeExpiry() throws Exception {
        plugin();
        String cluster = """
                server: https://h:6443
                certificate-authority-data: %s
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension: {audience: kubegate}
                """.formatted(b64(caPem));
        Path kc = write("config", config(cluster, execUser("client.authentication.k8s.io/v1", "./bin/plugin.sh",
                "- {name: EXPIRY, value: \"2030-01-01T00:15:00Z\"}", "provideClusterInfo: true")));

        try (UpstreamCredentials c = create(kc, null)) {
            assertThat(c.bearerToken()).contains("tok-1---cluster");
            assertThat(Files.readString(dir.resolve("args")).strip()).isEqualTo("--cluster c1");
            var info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("info.json").toFile());
            assertThat(info.path("kind").asText()).isEqualTo("ExecCredential");
            assertThat(info.path("apiVersion").asText()).isEqualTo("client.authentication.k8s.io/v1");
            assertThat(info.path("spec").path("interactive").asBoolean(true)).isFalse();
            assertThat(info.path("spec").path("cluster").path("server").asText()).isEqualTo("https://h:6443");
            assertThat(info.path("spec").path("cluster").path("certificate-authority-data").asText()).isEqualTo(b64(caPem));
            assertThat(info.path("spec").path("cluster").path("config").path("audience").asText()).isEqualTo("kubegate");
            assertThat(c.describe()).isEqualTo("kubeconfig " + kc + " context main (user u1)");

            // 15 minutes of validity → re-run after 10
            assertThat(scheduler.lastDelay()).isEqualTo(java.time.Duration.ofMinutes(10));
            scheduler.runNext();
            assertThat(c.bearerToken()).contains("tok-2---cluster");
            assertThat(scheduler.lastDelay()).isEqualTo(java.time.Duration.ofSeconds(200)); // 2/3 of the 5 min left

            // time passes the cached expiry; the plugin keeps answering 00:15, which counts as a failed refresh
            scheduler.clock.set(Instant.parse("2030-01-01T00:15:00Z"));
            assertThat(c.ready()).isFalse();
            scheduler.runNext();
            assertThat(c.ready()).isFalse();
            assertThat(scheduler.lastDelay()).isEqualTo(Refreshing.MIN_DELAY); // backing off
            assertThat(c.bearerToken()).contains("tok-2---cluster");
        }
        assertThat(Files.readString(dir.resolve("count")).strip()).isEqualTo("3");
    }

    @Test
    void execPluginIsReRunInTheBackgroundWhenItsShortCredentialExpires() throws Exception {
        plugin();
        Path kc = write("config", config("server: https://h", execUser("client.authentication.k8s.io/v1beta1",
                dir.resolve("bin/plugin.sh").toString(), "- {name: EXPIRE_IN, value: \"3\"}", "")));
        TestUpstream cfg = new TestUpstream();
        cfg.kubeconfig = kc;
        UpstreamCredentialsFactory.Hooks hooks = new UpstreamCredentialsFactory.Hooks(); // real thread, real clock
        hooks.serviceAccountDir = dir.resolve("none");
        try (UpstreamCredentials c = UpstreamCredentialsFactory.create(cfg.source(), Map.of("PATH", System.getenv("PATH")), hooks)) {
            assertThat(c.bearerToken()).contains("tok-1---cluster");
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (c.bearerToken().orElseThrow().equals("tok-1---cluster") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(c.bearerToken().orElseThrow()).matches("tok-[2-9]---cluster");
            assertThat(c.ready()).isTrue();
        }
    }

    @Test
    void execPluginClientCertificateReplacesTlsMaterial() throws Exception {
        plugin();
        write("cert.pem", ecCertPem);
        write("key.pem", ecSec1Pem);
        Path kc = write("config", config("server: https://h", execUser("client.authentication.k8s.io/v1beta1",
                dir.resolve("bin/plugin.sh").toString(), """
                - {name: CERT_FILE, value: "%s"}
                - {name: KEY_FILE, value: "%s"}
                """.formatted(dir.resolve("cert.pem"), dir.resolve("key.pem")), "")));
        try (UpstreamCredentials c = create(kc, null)) {
            assertThat(c.bearerToken()).isEmpty();
            assertThat(c.tls().clientCertPem().orElseThrow().strip()).isEqualTo(ecCertPem.strip());
            assertThat(c.tls().clientKeyPkcs8Pem().orElseThrow()).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(scheduler.pending).isEmpty(); // no expiry: kept until restart
        }
    }

    @Test
    void execPluginFailuresAreExplained() throws Exception {
        plugin();
        String script = dir.resolve("bin/plugin.sh").toString();
        Path failing = write("failing", config("server: https://h", execUser("client.authentication.k8s.io/v1beta1", script,
                "- {name: FAIL, value: \"Unable to locate credentials\"}", "")));
        assertThatThrownBy(() -> create(failing, null)).isInstanceOf(UpstreamCredentialsException.class)
                .hasMessage("exec plugin " + script + " exited with status 3: error: Unable to locate credentials");

        Path wrongVersion = write("wrongversion", config("server: https://h", execUser("client.authentication.k8s.io/v1beta1",
                script, "- {name: API, value: client.authentication.k8s.io/v1}", ""))); // a later env entry wins
        assertThatThrownBy(() -> create(wrongVersion, null)).hasMessageContaining(
                "is configured for apiVersion client.authentication.k8s.io/v1beta1 but returned \"client.authentication.k8s.io/v1\"");

        Path missing = write("missing", config("server: https://h", execUser("client.authentication.k8s.io/v1beta1",
                "kubegate-no-such-plugin", "", "installHint: install it with brew install no-such-plugin")));
        assertThatThrownBy(() -> create(missing, null))
                .hasMessageStartingWith("exec plugin kubegate-no-such-plugin: cannot run it:")
                .hasMessageEndingWith("\ninstall it with brew install no-such-plugin");

        Path alpha = write("alpha", config("server: https://h", execUser("client.authentication.k8s.io/v1alpha1", script, "", "")));
        assertThatThrownBy(() -> create(alpha, null)).hasMessageContaining("(v1alpha1 was removed in Kubernetes 1.24)");

        Path noMode = write("nomode", config("server: https://h", execUser("client.authentication.k8s.io/v1", script, "", ""))
                .replace("interactiveMode: Never", ""));
        assertThatThrownBy(() -> create(noMode, null)).hasMessageContaining("interactiveMode must be set");

        Path always = write("always", config("server: https://h", execUser("client.authentication.k8s.io/v1", script, "", ""))
                .replace("interactiveMode: Never", "interactiveMode: Always"));
        assertThatThrownBy(() -> create(always, null)).hasMessageContaining("has interactiveMode Always, but kubegate has no terminal");
    }

    @Test
    void execCredentialOutputIsValidated() {
        ExecPlugin p = new ExecPlugin(new ExecPlugin.Config("client.authentication.k8s.io/v1beta1", "aws",
                java.util.List.of(), Map.of(), java.util.Optional.empty(), java.util.Optional.empty()), Map.of(),
                java.time.Duration.ofSeconds(5));
        assertThatThrownBy(() -> p.parse("Unable to locate credentials")).hasMessageStartingWith(
                "exec plugin aws did not print an ExecCredential JSON object");
        assertThatThrownBy(() -> p.parse("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\"}"))
                .hasMessage("exec plugin aws returned no status");
        assertThatThrownBy(() -> p.parse("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{}}"))
                .hasMessage("exec plugin aws returned neither a token nor a client certificate and key");
        assertThatThrownBy(() -> p.parse("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                + "\"status\":{\"token\":\"t\",\"expirationTimestamp\":\"tomorrow\"}}"))
                .hasMessageContaining("expirationTimestamp that is not RFC 3339");
        var v = p.parse("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                + "\"status\":{\"token\":\"t\",\"expirationTimestamp\":\"2030-01-01T02:00:00+02:00\"}}");
        assertThat(v.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(p.execInfo()).isEqualTo("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
                + "\"spec\":{\"interactive\":false}}");
    }
}
