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
import io.vertx.core.http.Http2Settings;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The connections towards the API server, built from the gateway's own {@link UpstreamCredentials}:
 * a pooled HTTP client that negotiates HTTP/2 where it can (ordinary calls and streams, multiplexed),
 * and raw TCP/TLS connections for connection upgrades (exec, attach, port-forward), which exist only
 * in HTTP/1.1 and which Vert.x's HTTP client cannot make for a POST (client-go's SPDY executor).
 *
 * <p>Non-blocking: every method returns at once; the bearer token is read from the credentials'
 * cache on each request so refreshed tokens are used without rebuilding the pools.
 */
public final class UpstreamClient implements AutoCloseable {

    private final UpstreamCredentials credentials;
    private final HttpClient client;
    private final NetClient rawClient;
    private final boolean tls;
    private final String host;
    private final int port;
    private final String pathPrefix;
    private final SocketAddress address;

    /**
     * How kubegate connects to the API server ({@code kubegate.upstream.*}; see {@link KubegateConfig.Upstream}).
     *
     * @param maxConnections connections (HTTP/1.1) or streams (HTTP/2) kept
     * @param http2          offer HTTP/2 (over TLS only)
     */
    public record Connections(java.time.Duration connectTimeout, int maxConnections, boolean http2) {
        public static Connections from(KubegateConfig.Upstream cfg) {
            return new Connections(cfg.connectTimeout(), cfg.maxConnections(), cfg.http2());
        }
    }

    public UpstreamClient(Vertx vertx, UpstreamCredentials credentials, Connections cfg) {
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

        // HTTP/2 only where ALPN can negotiate it: over plain HTTP an API server speaks HTTP/1.1.
        boolean http2 = cfg.http2() && tls;
        this.client = vertx.createHttpClient(options(cfg, http2), new PoolOptions()
                .setHttp1MaxSize(cfg.maxConnections())
                // Go's API server allows 100-1000 streams per connection; a few connections spread the load.
                .setHttp2MaxSize(8)
                .setMaxWaitQueueSize(cfg.maxConnections() * 4));
        this.rawClient = vertx.createNetClient(rawOptions(cfg));
    }

    /** TCP/TLS options for upgrade connections: the same trust, client certificate and timeouts. */
    private NetClientOptions rawOptions(Connections cfg) {
        NetClientOptions o = new NetClientOptions()
                .setConnectTimeout((int) cfg.connectTimeout().toMillis())
                .setTcpKeepAlive(true)
                .setTcpNoDelay(true);
        if (tls && applyTls(o)) {
            o.setHostnameVerificationAlgorithm("HTTPS");
        }
        return o;
    }

    /**
     * The gateway's TLS towards the API server, for both kinds of client: engine, trust (the
     * credentials' CA, or the JVM's), client certificate. Returns whether the host name must be verified.
     */
    private boolean applyTls(ClientOptionsBase o) {
        TlsMaterial m = credentials.tls();
        o.setSsl(true);
        if (OpenSSLEngineOptions.isAvailable()) {
            // BoringSSL: several times the JDK engine's throughput; lists and watches cross TLS twice.
            o.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        if (m.insecureSkipVerify()) {
            o.setTrustAll(true);
        } else {
            m.caPem().ifPresent(ca -> o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca))));
        }
        if (m.clientCertPem().isPresent() && m.clientKeyPkcs8Pem().isPresent()) {
            o.setKeyCertOptions(new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(m.clientCertPem().get()))
                    .setKeyValue(Buffer.buffer(m.clientKeyPkcs8Pem().get())));
        }
        return !m.insecureSkipVerify();
    }

    private HttpClientOptions options(Connections cfg, boolean http2) {
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
            // Windows bound what a paused stream may buffer (1 MiB) and a connection in all (16 MiB).
            o.setInitialSettings(new Http2Settings().setInitialWindowSize(1024 * 1024))
                    .setHttp2ConnectionWindowSize(16 * 1024 * 1024);
            o.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true)
                    .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
        }
        if (tls) {
            o.setForceSni(true).setVerifyHost(applyTls(o));
        }
        return o;
    }

    /**
     * Opens a request towards the API server for {@code requestUri} (path and query as the client sent
     * them). {@code headers} are sent as given, plus the gateway's bearer token.
     */
    public Future<HttpClientRequest> request(HttpMethod method, String requestUri, MultiMap headers) {
        RequestOptions ro = new RequestOptions()
                .setMethod(method)
                .setServer(address)
                .setHost(host)
                .setPort(port)
                .setSsl(tls)
                .setURI(pathPrefix + requestUri)
                .setHeaders(headers);
        bearerToken().ifPresent(t -> ro.putHeader("Authorization", t));
        return client.request(ro);
    }

    /** A raw TCP/TLS connection to the API server, for connection upgrades (see {@link UpgradeTunnel}). */
    public Future<NetSocket> connectRaw() {
        return rawClient.connect(address, tls ? host : null);
    }

    /** {@code Authorization} header value of the gateway's own identity, when it uses a token. */
    Optional<String> bearerToken() {
        return credentials.bearerToken().map(t -> "Bearer " + t);
    }

    /** The Host header value for requests to the API server. */
    String hostHeader() {
        boolean defaultPort = port == (tls ? 443 : 80);
        String h = host.contains(":") ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }

    String pathPrefix() {
        return pathPrefix;
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
        rawClient.close();
        credentials.close();
    }
}
