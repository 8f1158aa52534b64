package dev.kubegate.cli;

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
 * With {@code --exec} the user runs {@code kubegate login} as exec credential plugin: the agent
 * credential ({@code --cluster-id} for AWS, {@code --token-file}, {@code --token}) is exchanged for
 * a short-lived session token at every login, instead of being sent to the Kubernetes API itself.
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

    @Option(names = "--output-file", paramLabel = "FILE", description = "Write to this file (mode 600) instead of standard output.")
    Path output;

    /** yaml or json, like kubectl config view. */
    OutputFormat format = OutputFormat.yaml;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", completionCandidates = DocumentFormats.class,
            description = "Output format: yaml (default) or json.")
    void output(String value) {
        switch (value) {
            case "yaml" -> format = OutputFormat.yaml;
            case "json" -> format = OutputFormat.json;
            case "table" -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "a kubeconfig has no table form: -o yaml or -o json");
            default -> {
                // kubegate 0.1 wrote the file named by -o: still accepted, with a warning.
                Deprecation.warn("-o FILE", "--output-file FILE");
                output = Path.of(value);
            }
        }
    }

    /** What {@code -o} offers to shell completion. */
    static final class DocumentFormats extends java.util.ArrayList<String> {
        DocumentFormats() {
            super(List.of("yaml", "json"));
        }
    }

    @Option(names = "--exec", description = "The user runs 'kubegate login' (kubectl exec plugin) to get session tokens; "
            + "--token / --token-file / --cluster-id then name the credential it exchanges.")
    boolean exec;

    @Option(names = "--cluster-id", description = "With --exec: prove an AWS identity for this kubegate cluster id.")
    String clusterId;

    @Option(names = "--region", description = "With --exec --cluster-id: AWS region.")
    String region;

    @Option(names = "--sts-endpoint", description = "With --exec --cluster-id: STS endpoint the AWS token names.")
    String stsEndpoint;

    @Option(names = "--ttl", description = "With --exec: session lifetime to ask for, e.g. 15m.")
    String ttl;

    @Option(names = {"-l", "--label"}, description = "With --exec: session label key=value (repeatable).")
    java.util.Map<String, String> labels = new java.util.TreeMap<>();

    @Option(names = "--exec-command", description = "With --exec: the kubegate command kubectl runs (default: this installation, "
            + "java -jar .../quarkus-run.jar, or 'kubegate' on the PATH).")
    java.util.List<String> execCommand;

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
        if (exec && (token != null ? 1 : 0) + (tokenFile != null ? 1 : 0) + (clusterId != null ? 1 : 0) != 1) {
            System.err.println("kubegate: with --exec give exactly one of --cluster-id, --token-file, --token");
            return 2;
        }
        if (!exec && (clusterId != null || ttl != null || !labels.isEmpty())) {
            System.err.println("kubegate: --cluster-id, --ttl and --label need --exec");
            return 2;
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("server", server != null ? server : "https://127.0.0.1:" + sslPort);
        cluster.put("certificate-authority-data", Base64.getEncoder().encodeToString(Files.readAllBytes(ca)));
        Map<String, Object> user = new LinkedHashMap<>();
        if (exec) {
            user.put("exec", loginPlugin());
        } else {
            if (token != null) user.put("token", token);
            if (tokenFile != null) user.put("tokenFile", tokenFile.toAbsolutePath().toString());
        }
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
        String text = format.render(OutputFormat.JSON.valueToTree(doc));
        if (output == null) {
            System.out.print(text);
        } else {
            Files.writeString(output, text, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(output, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: nothing more to restrict
            }
        }
        return 0;
    }

    /** The kubeconfig exec section running {@code kubegate login}; kubectl passes the server and CA (provideClusterInfo). */
    private Map<String, Object> loginPlugin() {
        java.util.List<String> command = execCommand != null && !execCommand.isEmpty() ? execCommand : selfCommand();
        java.util.List<String> args = new java.util.ArrayList<>(command.subList(1, command.size()));
        args.add("login");
        if (clusterId != null) {
            args.addAll(List.of("--cluster-id", clusterId));
            if (region != null) args.addAll(List.of("--region", region));
            if (stsEndpoint != null) args.addAll(List.of("--sts-endpoint", stsEndpoint));
        }
        if (tokenFile != null) args.addAll(List.of("--token-file", tokenFile.toAbsolutePath().toString()));
        if (token != null) args.addAll(List.of("--token", token));
        if (ttl != null) args.addAll(List.of("--ttl", ttl));
        labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        Map<String, Object> exec = new LinkedHashMap<>();
        exec.put("apiVersion", "client.authentication.k8s.io/v1");
        exec.put("command", command.get(0));
        exec.put("args", args);
        exec.put("interactiveMode", "Never");
        exec.put("provideClusterInfo", true);
        return exec;
    }

    /** How to run this installation again: java -jar quarkus-run.jar when we run from one, else the launcher on the PATH. */
    static java.util.List<String> selfCommand() {
        try {
            Path appJar = Path.of(KubeconfigCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path run = appJar.getParent() == null || appJar.getParent().getParent() == null ? null
                    : appJar.getParent().getParent().resolve("quarkus-run.jar");
            if (run != null && Files.isRegularFile(run)) {
                return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", run.toAbsolutePath().toString());
            }
        } catch (Exception e) {
            // fall through to the launcher
        }
        return List.of("kubegate");
    }
}
