package dev.kubegate.upstream;

import dev.kubegate.config.KubegateConfig;
import dev.kubegate.upstream.credentials.TlsMaterial;
import dev.kubegate.upstream.credentials.UpstreamCredentials;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;

import java.net.URI;
import java.util.List;

/**
 * The connection pools towards the API server, built from the gateway's own {@link UpstreamCredentials}.
 * Two clients: one that may negotiate HTTP/2 (ordinary calls and streams, multiplexed) and one that is
 * HTTP/1.1 only, because connection upgrades (exec, attach, port-forward) exist only there.
 *
 * <p>Non-blocking: every method returns at once; the bearer token is read from the credentials'
 * cache on each request so refreshed tokens are used without rebuilding the pools.
 */
public final class UpstreamClient implements AutoCloseable {

    private final UpstreamCredentials credentials;
    private final HttpClient client;
    private final HttpClient upgradeClient;
    private final boolean tls;
    private final String host;
    private final int port;
    private final String pathPrefix;
    private final SocketAddress address;

    public UpstreamClient(Vertx vertx, UpstreamCredentials credentials, KubegateConfig.Upstream cfg) {
        this.credentials = credentials;
        URI server = credentials.server();
        this.tls = "https".equalsIgnoreCase(server.getScheme());
        if (!tls && !"http".equalsIgnoreCase(server.getScheme())) {
            throw new IllegalArgumentException("upstream server must be an http(s) URL: " + server);
        }
        String serverHost = server.getHost();
        if (serverHost == null) {
            throw new IllegalArgumentException("upstream server URL has no host: " + server);
        }
        this.port = server.getPort() > 0 ? server.getPort() : (tls ? 443 : 80);
        String rawHost = serverHost.startsWith("[") ? serverHost.substring(1, serverHost.length() - 1) : serverHost;
        this.address = SocketAddress.inetSocketAddress(port, rawHost);
        // tls-server-name: connect to the URL's address but present (and verify) another name.
        this.host = credentials.tls().serverName().orElse(rawHost);
        String prefix = server.getRawPath() == null ? "" : server.getRawPath();
        this.pathPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;

        this.client = vertx.createHttpClient(options(cfg, cfg.http2()), new PoolOptions()
                .setHttp1MaxSize(cfg.maxConnections())
                // Go's API server allows 100-1000 streams per connection; a few connections spread the load.
                .setHttp2MaxSize(8)
                .setMaxWaitQueueSize(cfg.maxConnections() * 4));
        this.upgradeClient = cfg.http2()
                ? vertx.createHttpClient(options(cfg, false), new PoolOptions().setHttp1MaxSize(cfg.maxConnections()))
                : client;
    }

    private HttpClientOptions options(KubegateConfig.Upstream cfg, boolean http2) {
        TlsMaterial m = credentials.tls();
        HttpClientOptions o = new HttpClientOptions()
                .setConnectTimeout((int) cfg.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setTcpKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false) // bytes pass through as the server sent them
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024)
                // Spans towards the API server are made by the gateway itself, with the RequestInfo on them.
                .setTracingPolicy(TracingPolicy.IGNORE);
        if (http2) {
            o.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(tls).setHttp2ClearTextUpgrade(false)
                    .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
        }
        if (tls) {
            o.setSsl(true).setForceSni(true);
            if (m.insecureSkipVerify()) {
                o.setTrustAll(true).setVerifyHost(false);
            } else {
                o.setVerifyHost(true);
                m.caPem().ifPresent(ca -> o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca))));
            }
            if (m.clientCertPem().isPresent() && m.clientKeyPkcs8Pem().isPresent()) {
                o.setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(m.clientCertPem().get()))
                        .setKeyValue(Buffer.buffer(m.clientKeyPkcs8Pem().get())));
            }
        }
        return o;
    }

    /**
     * Opens a request towards the API server for {@code requestUri} (path and query as the client sent
     * them). {@code headers} are sent as given, plus the gateway's bearer token.
     */
    public Future<HttpClientRequest> request(HttpMethod method, String requestUri, MultiMap headers, boolean upgrade) {
        RequestOptions ro = new RequestOptions()
                .setMethod(method)
                .setServer(address)
                .setHost(host)
                .setPort(port)
                .setSsl(tls)
                .setURI(pathPrefix + requestUri)
                .setHeaders(headers);
        credentials.bearerToken().ifPresent(t -> ro.putHeader("Authorization", "Bearer " + t));
        return (upgrade ? upgradeClient : client).request(ro);
    }

    public UpstreamCredentials credentials() {
        return credentials;
    }

    public String describe() {
        return credentials.describe();
    }

    @Override
    public void close() {
        client.close();
        if (upgradeClient != client) {
            upgradeClient.close();
        }
        credentials.close();
    }
}
