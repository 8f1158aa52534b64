package dev.kubegate.upstream.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A kubeconfig {@code exec} credential plugin (client.authentication.k8s.io v1 / v1beta1), run the way
 * client-go runs it: the environment plus the plugin's {@code env}, {@code KUBERNETES_EXEC_INFO} describing
 * the request, no standard input (kubegate is never interactive), an {@code ExecCredential} on stdout.
 * Re-run before the returned {@code expirationTimestamp}; a credential without one is kept until restart.
 */
final class ExecPlugin implements Refreshing.Source<ClientAuth> {

    static final List<String> API_VERSIONS =
            List.of("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_OUTPUT = 1 << 20;

    /** What the plugin needs to know, parsed from the kubeconfig user's {@code exec} block. */
    record Config(String apiVersion, String command, List<String> args, Map<String, String> env,
                  Optional<String> installHint, Optional<ObjectNode> clusterInfo) {
    }

    private final Config config;
    private final Map<String, String> baseEnv;
    private final Duration timeout;
    private final String name;

    ExecPlugin(Config config, Map<String, String> baseEnv, Duration timeout) {
        this.config = config;
        this.baseEnv = baseEnv;
        this.timeout = timeout;
        this.name = "exec plugin " + config.command();
    }

    String name() {
        return name;
    }

    /** The {@code KUBERNETES_EXEC_INFO} value: an ExecCredential with only a spec, as client-go sends it. */
    String execInfo() {
        ObjectNode info = JSON.createObjectNode();
        info.put("kind", "ExecCredential");
        info.put("apiVersion", config.apiVersion());
        ObjectNode spec = info.putObject("spec");
        config.clusterInfo().ifPresent(c -> spec.set("cluster", c));
        spec.put("interactive", false);
        return info.toString();
    }

    @Override
    public Refreshing.Value<ClientAuth> fetch() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(config.command());
        cmd.addAll(config.args());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(baseEnv);
        pb.environment().putAll(config.env());
        pb.environment().put("KUBERNETES_EXEC_INFO", execInfo());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UpstreamCredentialsException(name + ": cannot run it: " + Refreshing.message(e)
                    + config.installHint().map(h -> "\n" + h).orElse(""), e);
        }
        p.getOutputStream().close(); // no standard input: kubegate is never interactive
        // Drain both pipes on their own threads so a chatty plugin cannot fill one and stall.
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new UpstreamCredentialsException(name + ": no answer within " + timeout.toSeconds() + "s");
        }
        String stdout = out.text();
        String stderr = err.text();
        if (p.exitValue() != 0) {
            throw new UpstreamCredentialsException(name + " exited with status " + p.exitValue()
                    + (stderr.isBlank() ? "" : ": " + excerpt(stderr)));
        }
        return parse(stdout);
    }

    /** Validates an ExecCredential the way client-go does and converts it to a {@link ClientAuth}. */
    // Long on purpose: client-go's checks of an ExecCredential (apiVersion, kind, status, token vs. certificate pair,
    // expiry) in its order, so that each refusal matches the one kubectl would print.
    Refreshing.Value<ClientAuth> parse(String stdout) {
        JsonNode cred;
        try {
            cred = JSON.readTree(stdout);
        } catch (IOException e) {
            throw new UpstreamCredentialsException(name + " did not print an ExecCredential JSON object: "
                    + Refreshing.message(e), e);
        }
        if (cred == null || !cred.isObject()) {
            throw new UpstreamCredentialsException(name + " did not print an ExecCredential JSON object");
        }
        String apiVersion = cred.path("apiVersion").asText("");
        if (!apiVersion.equals(config.apiVersion())) {
            throw new UpstreamCredentialsException(name + " is configured for apiVersion " + config.apiVersion()
                    + " but returned \"" + apiVersion + "\"");
        }
        if (!"ExecCredential".equals(cred.path("kind").asText(""))) {
            throw new UpstreamCredentialsException(name + " returned kind \"" + cred.path("kind").asText("")
                    + "\", expected ExecCredential");
        }
        JsonNode status = cred.get("status");
        if (status == null || !status.isObject()) {
            throw new UpstreamCredentialsException(name + " returned no status");
        }
        Optional<String> token = text(status, "token");
        Optional<String> cert = text(status, "clientCertificateData");
        Optional<String> key = text(status, "clientKeyData");
        if (cert.isPresent() != key.isPresent()) {
            throw new UpstreamCredentialsException(name + " returned a client certificate without its key or a key "
                    + "without its certificate");
        }
        if (token.isEmpty() && cert.isEmpty()) {
            throw new UpstreamCredentialsException(name + " returned neither a token nor a client certificate and key");
        }
        Optional<String> keyPkcs8 = key.map(k -> Pem.toPkcs8(k, name + " clientKeyData"));
        cert.ifPresent(c -> Pem.requireCertificates(c, name + " clientCertificateData"));
        Instant expiresAt = null;
        Optional<String> expiry = text(status, "expirationTimestamp");
        if (expiry.isPresent()) {
            try {
                expiresAt = OffsetDateTime.parse(expiry.get()).toInstant();
            } catch (DateTimeParseException e) {
                throw new UpstreamCredentialsException(name + " returned an expirationTimestamp that is not RFC 3339: "
                        + expiry.get(), e);
            }
        }
        return new Refreshing.Value<>(new ClientAuth(token, cert, keyPkcs8), expiresAt, null);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }

    private static String excerpt(String s) {
        String t = s.strip();
        return t.length() <= 800 ? t : "…" + t.substring(t.length() - 800);
    }

    /** Reads a stream to its end (at most {@link #MAX_OUTPUT} bytes kept) on a daemon thread. */
    private static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(chunk)) != -1; ) {
                        synchronized (buf) {
                            if (buf.size() < MAX_OUTPUT) {
                                buf.write(chunk, 0, Math.min(n, MAX_OUTPUT - buf.size()));
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away; keep what was read
                }
            }, "kubegate-exec-plugin-output");
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(5_000); // a grandchild may still hold the pipe open: don't wait for it forever
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
