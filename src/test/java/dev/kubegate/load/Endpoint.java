package dev.kubegate.load;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * One place the load goes to — the API server directly or kubegate — as read from a kubeconfig's
 * current context: server URL, CA, bearer token or client certificate. Exec credential plugins are
 * not supported (give the load test a kubeconfig with a token or a certificate).
 *
 * @param name   "direct" or "gateway", as printed in the results
 * @param pid    the process serving this endpoint (for CPU and heap figures), or 0 when unknown
 */
record Endpoint(String name, URI server, String caPem, boolean insecure, String token, String clientCertPem,
        String clientKeyPem, long pid) {

    static Endpoint fromKubeconfig(String name, Path file, long pid) throws IOException {
        JsonNode kc = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Path dir = file.toAbsolutePath().getParent();
        String ctxName = kc.path("current-context").asText();
        JsonNode ctx = named(kc.path("contexts"), ctxName).path("context");
        JsonNode cluster = named(kc.path("clusters"), ctx.path("cluster").asText()).path("cluster");
        JsonNode user = named(kc.path("users"), ctx.path("user").asText()).path("user");
        if (cluster.isMissingNode() || !cluster.hasNonNull("server")) {
            throw new IllegalArgumentException(file + ": no cluster server in context '" + ctxName + "'");
        }
        if (user.has("exec") || user.has("auth-provider")) {
            throw new IllegalArgumentException(file + ": exec/auth-provider credentials are not supported by the load generator; "
                    + "use a kubeconfig with a token or a client certificate");
        }
        String token = user.hasNonNull("token") ? user.get("token").asText()
                : user.hasNonNull("tokenFile") ? Files.readString(dir.resolve(user.get("tokenFile").asText())).strip() : null;
        return new Endpoint(name, URI.create(cluster.get("server").asText()),
                data(cluster, "certificate-authority", dir).orElse(null),
                cluster.path("insecure-skip-tls-verify").asBoolean(false),
                token,
                data(user, "client-certificate", dir).orElse(null),
                data(user, "client-key", dir).orElse(null),
                pid);
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (name.equals(n.path("name").asText())) {
                return n;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** {@code key-data} (base64) or {@code key} (a file, relative to the kubeconfig). */
    private static Optional<String> data(JsonNode node, String key, Path dir) throws IOException {
        if (node.hasNonNull(key + "-data")) {
            return Optional.of(new String(Base64.getDecoder().decode(node.get(key + "-data").asText()), StandardCharsets.UTF_8));
        }
        if (node.hasNonNull(key)) {
            return Optional.of(Files.readString(dir.resolve(node.get(key).asText())));
        }
        return Optional.empty();
    }

    boolean tls() {
        return "https".equalsIgnoreCase(server.getScheme());
    }

    int port() {
        return server.getPort() > 0 ? server.getPort() : tls() ? 443 : 80;
    }

    String pathPrefix() {
        String p = server.getRawPath() == null ? "" : server.getRawPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /**
     * An HTTP client towards this endpoint. With {@code http2}, ALPN offers h2 only, as Go's HTTP/2
     * transport (kubectl) does, with Go's flow-control windows (4 MiB per stream, 1 GiB per
     * connection); {@code connections} caps the pool (HTTP/2: connections, each multiplexing up to the
     * server's stream limit; HTTP/1.1: one request per connection).
     */
    HttpClient client(Vertx vertx, boolean http2, int connections) {
        HttpClientOptions o = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout(10_000)
                .setDecompressionSupported(false)
                .setMaxHeaderSize(64 * 1024);
        if (http2) {
            o.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(tls()).setHttp2ClearTextUpgrade(false)
                    .setAlpnVersions(List.of(HttpVersion.HTTP_2))
                    .setInitialSettings(new Http2Settings().setInitialWindowSize(4 << 20))
                    .setHttp2ConnectionWindowSize(1 << 30)
                    .setHttp2KeepAliveTimeout(0);
        } else {
            o.setProtocolVersion(HttpVersion.HTTP_1_1).setUseAlpn(false);
        }
        if (tls()) {
            o.setSsl(true);
            if (insecure) {
                o.setTrustAll(true).setVerifyHost(false);
            } else {
                o.setVerifyHost(true);
                if (caPem != null) {
                    o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem)));
                }
            }
            if (clientCertPem != null && clientKeyPem != null) {
                o.setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(clientCertPem))
                        .setKeyValue(Buffer.buffer(clientKeyPem)));
            }
        }
        o.setKeepAliveTimeout(0);
        return vertx.createHttpClient(o, new PoolOptions()
                .setHttp1MaxSize(connections)
                .setHttp2MaxSize(connections)
                .setMaxWaitQueueSize(-1));
    }

    /** Request options for {@code path} (with query), authenticated as this endpoint's kubeconfig user. */
    RequestOptions request(HttpMethod method, String path) {
        RequestOptions ro = new RequestOptions().setMethod(method)
                .setHost(server.getHost()).setPort(port()).setSsl(tls())
                .setURI(pathPrefix() + path)
                .putHeader("Accept", "application/json")
                .putHeader("User-Agent", "kubegate-load/1.0");
        if (token != null) {
            ro.putHeader("Authorization", "Bearer " + token);
        }
        return ro;
    }
}
