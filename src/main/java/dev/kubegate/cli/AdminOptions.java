package dev.kubegate.cli;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.tls.ServingCertificate;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** How admin commands reach kubegate's API: server, CA and the admin's token. */
public class AdminOptions {

    @Option(names = "--server", description = "kubegate URL (default: https://127.0.0.1:<https port>).")
    String server;

    @Option(names = "--ca-file", description = "CA that signed kubegate's certificate (default: the generated one under the data dir, else the system trust store).")
    Path caFile;

    @Option(names = "--token", description = "Admin bearer token (kubegate.admin.tokens-file). Prefer --token-file: arguments are visible to other users.")
    String adminToken;

    @Option(names = "--token-file", description = "File holding the admin bearer token.")
    Path adminTokenFile;

    @Option(names = "--oidc", description = "Sign in at the gateway's OIDC issuer instead of using an admin token (device flow; token cached under ~/.kube/cache/kubegate).")
    boolean oidc;

    @Option(names = "--cache-dir", description = "Where --oidc caches tokens (default: ~/.kube/cache/kubegate).")
    Path cacheDir;

    /** Deprecated spelling of {@code --token} (kubegate 0.1); hidden, kept so existing scripts work. */
    @Option(names = "--admin-token", hidden = true)
    void deprecatedAdminToken(String value) {
        Deprecation.warn("--admin-token", "--token");
        adminToken = value;
    }

    /** Deprecated spelling of {@code --token-file}. */
    @Option(names = "--admin-token-file", hidden = true)
    void deprecatedAdminTokenFile(Path value) {
        Deprecation.warn("--admin-token-file", "--token-file");
        adminTokenFile = value;
    }

    GatewayClient client(KubegateConfig config, int sslPort) throws Exception {
        Path ca = caFile != null ? caFile : ServingCertificate.paths(config.dataDir()).caCert();
        byte[] pem = caFile != null || Files.isReadable(ca) ? Files.readAllBytes(ca) : null;
        return new GatewayClient(server != null ? server : "https://127.0.0.1:" + sslPort, pem);
    }

    /** The bearer token for {@code client}: from --oidc's sign-in, else the admin token. */
    String token(GatewayClient client) throws Exception {
        if (oidc) {
            if (adminToken != null || adminTokenFile != null) {
                throw new IllegalArgumentException("give --oidc or an admin token, not both");
            }
            return new OidcDeviceLogin(System.err).token(client, client.server(), cacheDir != null ? cacheDir : OidcDeviceLogin.defaultCacheDir());
        }
        return token();
    }

    String token() throws Exception {
        if (adminToken != null && adminTokenFile != null) {
            throw new IllegalArgumentException("give --token or --token-file, not both");
        }
        if (adminTokenFile != null) {
            return Files.readString(adminTokenFile, StandardCharsets.UTF_8).strip();
        }
        if (adminToken != null) {
            return adminToken;
        }
        String env = System.getenv("KUBEGATE_ADMIN_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        throw new IllegalArgumentException("no admin token: pass --token-file, --token or set KUBEGATE_ADMIN_TOKEN");
    }
}
