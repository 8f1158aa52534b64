package dev.kubegate.tls;

import dev.kubegate.config.KubegateConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Gives the HTTPS listener its certificate — the operator's ({@code kubegate.tls.cert-file}) or one
 * generated on first start — its TLS engine (BoringSSL when available) and HTTP/2 windows. Quarkus asks this before binding, on the start-up thread, so the file
 * work here does not touch an event loop. An explicit {@code quarkus.http.ssl.*} setup wins.
 */
@ApplicationScoped
public class ServingTlsCustomizer implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(ServingTlsCustomizer.class);

    @Inject
    KubegateConfig config;

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        if (OpenSSLEngineOptions.isAvailable()) {
            // BoringSSL: several times the JDK engine's throughput; every byte of a list or watch is TLS twice.
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        // Go-like flow-control windows (kubectl's client uses 4 MiB): a 64 KiB window stalls a
        // large list for a round trip every 64 KiB. Per-connection window bounds what one client can queue.
        options.setInitialSettings(options.getInitialSettings().setInitialWindowSize(1024 * 1024));
        options.setHttp2ConnectionWindowSize(16 * 1024 * 1024);
        if (options.getKeyCertOptions() != null) {
            return;
        }
        KubegateConfig.Tls tls = config.tls();
        PemKeyCertOptions pem = new PemKeyCertOptions();
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            throw new IllegalStateException("kubegate.tls.cert-file and kubegate.tls.key-file must be set together");
        }
        if (tls.certFile().isPresent()) {
            pem.setCertPath(tls.certFile().get().toString()).setKeyPath(tls.keyFile().get().toString());
            LOG.infof("serving TLS with %s", tls.certFile().get());
        } else {
            ServingCertificate.Material m = ServingCertificate.ensure(config.dataDir(), tls.sans().orElse(List.of()));
            pem.setCertPath(m.cert().toString()).setKeyPath(m.key().toString());
            LOG.infof("serving TLS with the generated certificate %s (clients trust the CA %s)", m.cert(), m.caCert());
        }
        options.setKeyCertOptions(pem);
    }
}
