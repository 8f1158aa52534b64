package dev.kubegate.cli;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.config.KubegateConfig;
import dev.kubegate.tls.ServingCertificate;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Prints a kubeconfig that points an agent's kubectl at this gateway, trusting the gateway's CA.
 */
@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
        description = "Print a kubeconfig that sends kubectl through kubegate.")
public class KubeconfigCommand implements Callable<Integer> {

    @Option(names = "--server", description = "Gateway URL as agents reach it (default: https://127.0.0.1:<https port>).")
    String server;

    @Option(names = "--ca-file", description = "CA that signed the gateway's certificate (default: the generated one under the data dir).")
    Path caFile;

    @Option(names = "--token", description = "Bearer token the agent presents (static development tokens).")
    String token;

    @Option(names = "--token-file", description = "File the agent's kubectl reads its bearer token from.")
    Path tokenFile;

    @Option(names = "--name", defaultValue = "kubegate", description = "Name of the cluster, user and context (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-n", "--namespace"}, description = "Default namespace of the context.")
    String namespace;

    @Option(names = {"-o", "--output"}, description = "Write to this file (mode 600) instead of standard output.")
    Path output;

    @Inject
    KubegateConfig config;

    @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443")
    int sslPort;

    @Override
    public Integer call() throws IOException {
        Path ca = caFile != null ? caFile : ServingCertificate.paths(config.dataDir()).caCert();
        if (!Files.isReadable(ca)) {
            System.err.println("kubegate: no CA certificate at " + ca + ": start the gateway once (it generates one) or pass --ca-file");
            return 2;
        }
        if (token != null && tokenFile != null) {
            System.err.println("kubegate: give --token or --token-file, not both");
            return 2;
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("server", server != null ? server : "https://127.0.0.1:" + sslPort);
        cluster.put("certificate-authority-data", Base64.getEncoder().encodeToString(Files.readAllBytes(ca)));
        Map<String, Object> user = new LinkedHashMap<>();
        if (token != null) user.put("token", token);
        if (tokenFile != null) user.put("tokenFile", tokenFile.toAbsolutePath().toString());
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("cluster", name);
        context.put("user", name);
        if (namespace != null) context.put("namespace", namespace);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "v1");
        doc.put("kind", "Config");
        doc.put("clusters", List.of(Map.of("name", name, "cluster", cluster)));
        doc.put("users", List.of(Map.of("name", name, "user", user)));
        doc.put("contexts", List.of(Map.of("name", name, "context", context)));
        doc.put("current-context", name);
        String yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)).writeValueAsString(doc);
        if (output == null) {
            System.out.print(yaml);
        } else {
            Files.writeString(output, yaml, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(output, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: nothing more to restrict
            }
        }
        return 0;
    }
}
