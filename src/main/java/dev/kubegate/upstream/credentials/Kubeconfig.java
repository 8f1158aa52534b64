package dev.kubegate.upstream.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One or more kubeconfig files, merged like client-go merges $KUBECONFIG: for clusters, users and contexts
 * the first file that defines a name wins, and so does the first non-empty {@code current-context}.
 * Relative file paths resolve against the directory of the file that holds them.
 */
final class Kubeconfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String EXEC_EXTENSION = "client.authentication.k8s.io/exec";

    /** A named cluster, user or context and the directory its relative paths resolve against. */
    private record Entry(String name, JsonNode body, Path dir) {
    }

    /** One context, resolved; everything the factory needs to build credentials. */
    record Selected(String context, String user, Optional<URI> server, TlsMaterial tls,
                    Optional<String> token, Optional<Path> tokenFile, Optional<ExecPlugin.Config> exec) {
    }

    private final List<Path> files;
    private final Map<String, Entry> clusters = new LinkedHashMap<>();
    private final Map<String, Entry> users = new LinkedHashMap<>();
    private final Map<String, Entry> contexts = new LinkedHashMap<>();
    private String currentContext;

    private Kubeconfig(List<Path> files) {
        this.files = files;
    }

    static Kubeconfig load(List<Path> files) {
        Kubeconfig kc = new Kubeconfig(List.copyOf(files));
        for (Path file : files) {
            JsonNode root;
            try {
                root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UpstreamCredentialsException("kubeconfig " + file + " cannot be read: " + Refreshing.message(e), e);
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                continue; // an empty file is an empty config
            }
            if (!root.isObject()) {
                throw new UpstreamCredentialsException("kubeconfig " + file + " is not a YAML mapping");
            }
            Path dir = file.toAbsolutePath().getParent();
            kc.addAll(kc.clusters, root, "clusters", "cluster", file, dir);
            kc.addAll(kc.users, root, "users", "user", file, dir);
            kc.addAll(kc.contexts, root, "contexts", "context", file, dir);
            String current = root.path("current-context").asText("");
            if (kc.currentContext == null && !current.isEmpty()) {
                kc.currentContext = current;
            }
        }
        return kc;
    }

    // Six parameters: one of the three lists (clusters, contexts, users) of one file, the map it merges into,
    // and the file and directory its error messages and relative paths name; called three times per file.
    private void addAll(Map<String, Entry> into, JsonNode root, String list, String field, Path file, Path dir) {
        JsonNode items = root.get(list);
        if (items == null || items.isNull()) {
            return;
        }
        if (!items.isArray()) {
            throw new UpstreamCredentialsException("kubeconfig " + file + ": " + list + " must be a list");
        }
        for (JsonNode item : items) {
            String name = item.path("name").asText("");
            if (name.isEmpty()) {
                throw new UpstreamCredentialsException("kubeconfig " + file + ": an entry of " + list + " has no name");
            }
            JsonNode body = item.get(field);
            into.putIfAbsent(name, new Entry(name, body == null || body.isNull() ? JsonNodeFactory.instance.objectNode() : body, dir));
        }
    }

    /** "/a/config" or "/a/config:/b/config", for messages and {@code describe()}. */
    String files() {
        return files.stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    /**
     * Resolves {@code context} (the current-context when empty).
     *
     * @throws UpstreamCredentialsException naming what is missing or unsupported and what to do instead
     */
    // Long on purpose: context → cluster → user, then the cluster's TLS and the user's credential, checked in the
    // order client-go's loader checks them, each refusal naming what to change; split, that order would be scattered.
    Selected select(Optional<String> context) {
        String where = "kubeconfig " + files();
        String ctxName = context.filter(c -> !c.isBlank()).orElse(currentContext);
        if (ctxName == null) {
            throw new UpstreamCredentialsException(where + " sets no current-context: set kubegate.upstream.context to one of "
                    + names(contexts));
        }
        Entry ctx = contexts.get(ctxName);
        if (ctx == null) {
            throw new UpstreamCredentialsException(where + " has no context \"" + ctxName + "\" (it has " + names(contexts) + ")");
        }
        String clusterName = ctx.body().path("cluster").asText("");
        Entry cluster = clusters.get(clusterName);
        if (cluster == null) {
            throw new UpstreamCredentialsException(where + ": context \"" + ctxName + "\" refers to cluster \"" + clusterName
                    + "\", which is not defined (clusters: " + names(clusters) + ")");
        }
        String userName = ctx.body().path("user").asText("");
        Entry user = userName.isEmpty() ? new Entry("", JsonNodeFactory.instance.objectNode(), ctx.dir()) : users.get(userName);
        if (user == null) {
            throw new UpstreamCredentialsException(where + ": context \"" + ctxName + "\" refers to user \"" + userName
                    + "\", which is not defined (users: " + names(users) + ")");
        }

        JsonNode c = cluster.body();
        String clusterWhat = where + " cluster \"" + clusterName + "\"";
        if (!c.path("proxy-url").asText("").isEmpty()) {
            throw new UpstreamCredentialsException(clusterWhat + " sets proxy-url, which kubegate does not support: "
                    + "make the API server reachable directly, or point kubegate.upstream.url at a reachable address");
        }
        Optional<URI> server = text(c, "server").map(s -> parseServer(s, clusterWhat + " server"));
        Optional<String> ca = text(c, "certificate-authority-data")
                .map(d -> Pem.decodeData(d, clusterWhat + " certificate-authority-data"))
                .or(() -> text(c, "certificate-authority")
                        .map(f -> Pem.readFile(resolve(cluster.dir(), f), clusterWhat + " certificate-authority")));
        ca.ifPresent(pem -> Pem.requireCertificates(pem, clusterWhat + " certificate authority"));
        boolean insecure = c.path("insecure-skip-tls-verify").asBoolean(false);
        Optional<String> serverName = text(c, "tls-server-name");

        JsonNode u = user.body();
        String userWhat = where + " user \"" + userName + "\"";
        rejectUnsupported(u, userWhat);
        Optional<String> certPem = text(u, "client-certificate-data")
                .map(d -> Pem.decodeData(d, userWhat + " client-certificate-data"))
                .or(() -> text(u, "client-certificate")
                        .map(f -> Pem.readFile(resolve(user.dir(), f), userWhat + " client-certificate")));
        Optional<String> keyPem = text(u, "client-key-data")
                .map(d -> Pem.decodeData(d, userWhat + " client-key-data"))
                .or(() -> text(u, "client-key").map(f -> Pem.readFile(resolve(user.dir(), f), userWhat + " client-key")));
        if (certPem.isPresent() != keyPem.isPresent()) {
            throw new UpstreamCredentialsException(userWhat + " sets a client certificate without a client key or a key "
                    + "without a certificate: set both (client-certificate[-data] and client-key[-data])");
        }
        certPem.ifPresent(pem -> Pem.requireCertificates(pem, userWhat + " client certificate"));
        Optional<String> keyPkcs8 = keyPem.map(pem -> Pem.toPkcs8(pem, userWhat + " client key"));
        TlsMaterial tls = new TlsMaterial(ca, certPem, keyPkcs8, insecure, serverName);

        Optional<String> token = text(u, "token");
        Optional<Path> tokenFile = text(u, "tokenFile").map(f -> resolve(user.dir(), f));
        Optional<ExecPlugin.Config> exec = Optional.ofNullable(u.get("exec")).filter(e -> !e.isNull())
                .map(e -> execConfig(e, user.dir(), userWhat, c, ca));
        if (exec.isPresent() && (token.isPresent() || tokenFile.isPresent())) {
            throw new UpstreamCredentialsException(userWhat + " sets both exec and token/tokenFile: keep one of them");
        }
        return new Selected(ctxName, userName, server, tls, token, tokenFile, exec);
    }

    private static void rejectUnsupported(JsonNode u, String userWhat) {
        JsonNode ap = u.get("auth-provider");
        if (ap != null && !ap.isNull()) {
            throw new UpstreamCredentialsException(userWhat + " uses auth-provider \"" + ap.path("name").asText("")
                    + "\", which kubegate does not support (client-go removed the in-tree providers): use an exec "
                    + "credential plugin instead, e.g. gke-gcloud-auth-plugin, kubelogin or aws eks get-token");
        }
        if (text(u, "username").isPresent() || text(u, "password").isPresent()) {
            throw new UpstreamCredentialsException(userWhat + " uses username/password (basic authentication), which "
                    + "Kubernetes no longer supports: use a token, a client certificate or an exec plugin");
        }
        for (String f : List.of("as", "as-uid", "as-groups", "as-user-extra")) {
            JsonNode v = u.get(f);
            if (v != null && !v.isNull() && (v.isContainerNode() ? !v.isEmpty() : !v.asText().isEmpty())) {
                throw new UpstreamCredentialsException(userWhat + " sets " + f + " (impersonation), which cannot be "
                        + "combined with kubegate's own Impersonate-* headers: remove it and give kubegate's identity "
                        + "the impersonate permission instead");
            }
        }
    }

    // One field of client-go's ExecConfig after the other (apiVersion, command, interactiveMode, args, env,
    // provideClusterInfo), as clientcmd validates them: kept as one list to compare with it.
    private static ExecPlugin.Config execConfig(JsonNode e, Path dir, String userWhat, JsonNode cluster,
                                                Optional<String> caPem) {
        String what = userWhat + " exec";
        String apiVersion = e.path("apiVersion").asText("");
        if (!ExecPlugin.API_VERSIONS.contains(apiVersion)) {
            throw new UpstreamCredentialsException(what + " apiVersion \"" + apiVersion + "\" is not supported: use "
                    + String.join(" or ", ExecPlugin.API_VERSIONS)
                    + (apiVersion.endsWith("v1alpha1") ? " (v1alpha1 was removed in Kubernetes 1.24)" : ""));
        }
        String command = e.path("command").asText("");
        if (command.isEmpty()) {
            throw new UpstreamCredentialsException(what + " has no command");
        }
        // Like client-go: a command with a path separator is a file relative to the kubeconfig; otherwise $PATH.
        if (command.contains("/") && !Path.of(command).isAbsolute()) {
            command = dir.resolve(command).normalize().toString();
        }
        String mode = e.path("interactiveMode").asText("");
        if (mode.isEmpty() && apiVersion.endsWith("/v1")) {
            throw new UpstreamCredentialsException(what + ": interactiveMode must be set for apiVersion " + apiVersion
                    + " (kubegate runs plugins non-interactively: use Never or IfAvailable)");
        }
        if (mode.equals("Always")) {
            throw new UpstreamCredentialsException(what + " has interactiveMode Always, but kubegate has no terminal: "
                    + "use a plugin configuration that works with interactiveMode Never");
        }
        List<String> args = new ArrayList<>();
        e.path("args").forEach(a -> args.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        e.path("env").forEach(v -> env.put(v.path("name").asText(), v.path("value").asText()));
        Optional<ObjectNode> clusterInfo = Optional.empty();
        if (e.path("provideClusterInfo").asBoolean(false)) {
            ObjectNode ci = JsonNodeFactory.instance.objectNode();
            text(cluster, "server").ifPresent(s -> ci.put("server", s));
            text(cluster, "tls-server-name").ifPresent(s -> ci.put("tls-server-name", s));
            if (cluster.path("insecure-skip-tls-verify").asBoolean(false)) {
                ci.put("insecure-skip-tls-verify", true);
            }
            caPem.ifPresent(pem -> ci.put("certificate-authority-data",
                    Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8))));
            for (JsonNode ext : cluster.path("extensions")) {
                if (EXEC_EXTENSION.equals(ext.path("name").asText()) && ext.has("extension")) {
                    ci.set("config", ext.get("extension"));
                }
            }
            clusterInfo = Optional.of(ci);
        }
        return new ExecPlugin.Config(apiVersion, command, List.copyOf(args), Map.copyOf(env),
                text(e, "installHint"), clusterInfo);
    }

    static URI parseServer(String s, String what) {
        try {
            URI uri = new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UpstreamCredentialsException(what + " \"" + s + "\" is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UpstreamCredentialsException(what + " \"" + s + "\" is not a valid URL: " + e.getMessage(), e);
        }
    }

    private static Path resolve(Path dir, String file) {
        Path p = Path.of(file);
        return p.isAbsolute() ? p : dir.resolve(p).normalize();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }

    private static String names(Map<String, Entry> m) {
        return m.isEmpty() ? "none" : String.join(", ", m.keySet());
    }
}
