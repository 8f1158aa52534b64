package dev.kubegate.upstream.credentials;

import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds kubegate's {@link UpstreamCredentials} from {@code kubegate.upstream.*}. The first source that applies
 * wins:
 * <ol>
 *   <li>{@code eks.cluster-name} set → <b>EKS</b>: tokens minted with AWS SDK v2 (default credential chain, or
 *       {@code eks.role-arn} assumed); endpoint and CA from DescribeCluster unless {@code url} is set.</li>
 *   <li>{@code kubeconfig} set → that <b>kubeconfig</b> file, context {@code context} or its current-context.</li>
 *   <li>{@code KUBERNETES_SERVICE_HOST}/{@code _PORT} in the environment and a service-account {@code token} and
 *       {@code ca.crt} under /var/run/secrets/kubernetes.io/serviceaccount → <b>in-cluster</b>.</li>
 *   <li>{@code $KUBECONFIG} (the existing files of the path list, merged like client-go: first definition wins),
 *       else {@code ~/.kube/config} → <b>kubeconfig</b>.</li>
 *   <li>{@code url} alone → that server, with {@code ca-file} and {@code token-file} when given.</li>
 *   <li>otherwise start-up fails with a message that says what to configure.</li>
 * </ol>
 * Whatever the source, {@code url} replaces its server, {@code ca-file} its CA, {@code token-file} its bearer token
 * (re-read every minute), and {@code insecure-skip-tls-verify=true} turns verification off.
 *
 * <p>{@link #create} blocks: it reads files, may run an exec plugin or call AWS, and fetches the first credential so
 * that a misconfiguration fails start-up with a clear {@link UpstreamCredentialsException}. Call it at start-up, off
 * the event loop. The returned credentials never block afterwards.
 */
public final class UpstreamCredentialsFactory {

    private static final Logger LOG = Logger.getLogger(UpstreamCredentialsFactory.class);

    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private UpstreamCredentialsFactory() {
    }

    /** Seams for tests; production uses the defaults. */
    static final class Hooks {
        Path serviceAccountDir = SERVICE_ACCOUNT_DIR;
        Clock clock = Clock.systemUTC();
        Supplier<Scheduler> scheduler = () -> Scheduler.daemon("kubegate-upstream-credentials");
        Duration execTimeout = Duration.ofMinutes(1);
        /** null: the default AWS chain, or AssumeRole of {@code eks.role-arn}. */
        AwsCredentialsProvider awsCredentials;
        EksAws.Describer eksDescriber = EksAws::describe;
    }

    /**
     * @param env the process environment ({@code System.getenv()}): selects in-cluster, $KUBECONFIG, $HOME, and is
     *            the base environment of exec plugins
     * @throws UpstreamCredentialsException when no source applies or the chosen one is unusable
     */
    public static UpstreamCredentials create(UpstreamSource cfg, Map<String, String> env) {
        return create(cfg, env, new Hooks());
    }

    static UpstreamCredentials create(UpstreamSource cfg, Map<String, String> env, Hooks hooks) {
        Builder b = new Builder(cfg, env, hooks);
        try {
            return b.build();
        } catch (RuntimeException e) {
            b.closeAll();
            throw e;
        }
    }

    /** One creation: collects what must be closed if creation fails half-way. */
    private static final class Builder {
        private final UpstreamSource cfg;
        private final Map<String, String> env;
        private final Hooks hooks;
        private final Scheduler scheduler;
        private final List<AutoCloseable> resources = new ArrayList<>();
        private Refreshing<ClientAuth> auth;

        Builder(UpstreamSource cfg, Map<String, String> env, Hooks hooks) {
            this.cfg = cfg;
            this.env = env;
            this.hooks = hooks;
            this.scheduler = hooks.scheduler.get();
            resources.add(scheduler);
        }

        UpstreamCredentials build() {
            if (cfg.eks().clusterName().filter(s -> !s.isBlank()).isPresent()) {
                return eks(cfg.eks().clusterName().get());
            }
            if (cfg.kubeconfig().isPresent()) {
                Path file = cfg.kubeconfig().get();
                if (!Files.isRegularFile(file)) {
                    throw new UpstreamCredentialsException("kubegate.upstream.kubeconfig " + file + " does not exist "
                            + "or is not a file");
                }
                return kubeconfig(List.of(file));
            }
            if (inClusterAvailable()) {
                return inCluster();
            }
            List<Path> found = kubeconfigFromEnvironment();
            if (!found.isEmpty()) {
                return kubeconfig(found);
            }
            if (cfg.url().filter(s -> !s.isBlank()).isPresent()) {
                return urlOnly();
            }
            throw new UpstreamCredentialsException("No upstream Kubernetes API server is configured. Set one of: "
                    + "kubegate.upstream.eks.cluster-name (EKS, env KUBEGATE_UPSTREAM_EKS_CLUSTER_NAME); "
                    + "kubegate.upstream.kubeconfig and optionally kubegate.upstream.context (KUBEGATE_UPSTREAM_KUBECONFIG); "
                    + "or kubegate.upstream.url with kubegate.upstream.ca-file and kubegate.upstream.token-file "
                    + "(KUBEGATE_UPSTREAM_URL). Running in a pod with a service account token, or with $KUBECONFIG or "
                    + "~/.kube/config present, works without settings.");
        }

        // ---- sources ------------------------------------------------------------------------------------------

        private UpstreamCredentials eks(String clusterName) {
            UpstreamSource.Eks e = cfg.eks();
            Region region = EksAws.region(e.region().filter(s -> !s.isBlank()), env);
            AwsCredentialsProvider creds = hooks.awsCredentials != null ? hooks.awsCredentials
                    : EksAws.credentials(e.roleArn().filter(s -> !s.isBlank()), region, env, resources);
            String where = "EKS cluster " + clusterName + " in " + region.id();
            URI server = null;
            TlsMaterial tls = TlsMaterial.none();
            if (cfg.url().filter(s -> !s.isBlank()).isEmpty()) {
                EksAws.ClusterInfo info;
                try {
                    info = hooks.eksDescriber.describe(clusterName, region, creds);
                } catch (UpstreamCredentialsException ex) {
                    throw ex;
                } catch (RuntimeException ex) {
                    throw new UpstreamCredentialsException(where + ": DescribeCluster failed (" + Refreshing.message(ex)
                            + "): grant eks:DescribeCluster, or set kubegate.upstream.url and kubegate.upstream.ca-file", ex);
                }
                server = Kubeconfig.parseServer(info.endpoint(), where + " endpoint");
                tls = tls.withCa(info.caPem().map(pem -> Pem.requireCertificates(pem, where + " CA")));
            }
            EksToken tokens = new EksToken(clusterName, region, creds, hooks.clock);
            auth(() -> start("token for " + where, tokens));
            return finish(server, tls, where + " (" + e.roleArn().filter(s -> !s.isBlank()).map(r -> "role " + r)
                    .orElse("default AWS credentials") + ")");
        }

        private UpstreamCredentials kubeconfig(List<Path> files) {
            Kubeconfig kc = Kubeconfig.load(files);
            Kubeconfig.Selected sel = kc.select(cfg.context());
            auth(() -> {
                if (sel.exec().isPresent()) {
                    ExecPlugin plugin = new ExecPlugin(sel.exec().get(), env, hooks.execTimeout);
                    return start(plugin.name() + " (kubeconfig user " + sel.user() + ")", plugin);
                }
                // token + client certificate together is valid: both are sent, as client-go does
                if (sel.tokenFile().isPresent()) {
                    return start("kubeconfig user " + sel.user() + " tokenFile",
                            new TokenFile(sel.tokenFile().get(), "kubeconfig user " + sel.user() + " tokenFile"));
                }
                return Refreshing.fixed(sel.token().map(ClientAuth::token).orElse(ClientAuth.NONE));
            });
            if (sel.server().isEmpty() && cfg.url().filter(s -> !s.isBlank()).isEmpty()) {
                throw new UpstreamCredentialsException("kubeconfig " + kc.files() + ": the cluster of context \""
                        + sel.context() + "\" has no server (or set kubegate.upstream.url)");
            }
            return finish(sel.server().orElse(null), sel.tls(),
                    "kubeconfig " + kc.files() + " context " + sel.context() + " (user " + sel.user() + ")");
        }

        private boolean inClusterAvailable() {
            return !env.getOrDefault("KUBERNETES_SERVICE_HOST", "").isBlank()
                    && !env.getOrDefault("KUBERNETES_SERVICE_PORT", "").isBlank()
                    && Files.isRegularFile(hooks.serviceAccountDir.resolve("token"))
                    && Files.isRegularFile(hooks.serviceAccountDir.resolve("ca.crt"));
        }

        private UpstreamCredentials inCluster() {
            if (cfg.context().isPresent()) {
                LOG.warnf("kubegate.upstream.context=%s is ignored: in-cluster credentials were selected; set "
                        + "kubegate.upstream.kubeconfig to use a kubeconfig inside a pod", cfg.context().get());
            }
            String host = env.get("KUBERNETES_SERVICE_HOST").trim();
            String port = env.get("KUBERNETES_SERVICE_PORT").trim();
            if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]"; // an IPv6 literal, as Go's net.JoinHostPort writes it
            }
            URI server = Kubeconfig.parseServer("https://" + host + ":" + port, "in-cluster API server");
            Path dir = hooks.serviceAccountDir;
            String ca = Pem.requireCertificates(Pem.readFile(dir.resolve("ca.crt"), "in-cluster CA"), "in-cluster " + dir.resolve("ca.crt"));
            auth(() -> start("in-cluster service account token",
                    new TokenFile(dir.resolve("token"), "in-cluster service account token")));
            String ns = "";
            try {
                Path nsFile = dir.resolve("namespace");
                ns = Files.isRegularFile(nsFile) ? " " + Files.readString(nsFile).trim() : "";
            } catch (Exception ignored) {
                // the namespace only decorates describe()
            }
            return finish(server, TlsMaterial.none().withCa(Optional.of(ca)), "in-cluster service account" + ns + " (" + dir + ")");
        }

        private List<Path> kubeconfigFromEnvironment() {
            String list = env.getOrDefault("KUBECONFIG", "");
            List<Path> found = Arrays.stream(list.split(File.pathSeparator)).filter(s -> !s.isBlank())
                    .map(Path::of).filter(Files::isRegularFile).distinct().toList();
            if (!found.isEmpty()) {
                return found;
            }
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            Path def = Path.of(home, ".kube", "config");
            return Files.isRegularFile(def) ? List.of(def) : List.of();
        }

        private UpstreamCredentials urlOnly() {
            auth(() -> Refreshing.fixed(ClientAuth.NONE));
            return finish(null, TlsMaterial.none(), "url " + cfg.url().get().trim());
        }

        // ---- common -------------------------------------------------------------------------------------------

        /** Sets the credential source, unless kubegate.upstream.token-file overrides it (then the source never starts). */
        private void auth(Supplier<Refreshing<ClientAuth>> source) {
            auth = cfg.tokenFile().isPresent()
                    ? start("kubegate.upstream.token-file", new TokenFile(cfg.tokenFile().get(), "kubegate.upstream.token-file"))
                    : source.get();
        }

        private Refreshing<ClientAuth> start(String what, Refreshing.Source<ClientAuth> source) {
            return Refreshing.start(what, source, scheduler, hooks.clock);
        }

        /** Applies the explicit url / ca-file / insecure overrides and assembles the credentials. */
        private UpstreamCredentials finish(URI sourceServer, TlsMaterial tls, String description) {
            StringBuilder d = new StringBuilder(description);
            URI server = sourceServer;
            Optional<String> url = cfg.url().map(String::trim).filter(s -> !s.isEmpty());
            if (url.isPresent()) {
                server = Kubeconfig.parseServer(url.get(), "kubegate.upstream.url");
                if (sourceServer != null) {
                    d.append(", server from kubegate.upstream.url");
                }
            }
            if (cfg.caFile().isPresent()) {
                Path f = cfg.caFile().get();
                tls = tls.withCa(Optional.of(Pem.requireCertificates(Pem.readFile(f, "kubegate.upstream.ca-file"),
                        "kubegate.upstream.ca-file " + f)));
            }
            if (cfg.insecureSkipTlsVerify()) {
                tls = tls.withInsecureSkipVerify(true);
                d.append(", TLS verification OFF");
            }
            if (cfg.tokenFile().isPresent()) {
                d.append(", token from ").append(cfg.tokenFile().get());
            }
            if (server == null) {
                throw new UpstreamCredentialsException(description + ": no API server URL: set kubegate.upstream.url");
            }
            return new SourceCredentials(server, tls, auth, d.toString(), resources);
        }

        void closeAll() {
            if (auth != null) {
                auth.close();
            }
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception ignored) {
                    // best effort while failing start-up
                }
            }
        }
    }
}
