package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's HTTPS client for kubegate's own API: trusts the given CA bundle (PEM), or the JVM's
 * trust store when none is given. Blocking, as CLI commands may be.
 */
final class GatewayClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A failure to show the user: the server's Status message, or what went wrong on the way. */
    static final class Failure extends Exception {
        final int code;

        Failure(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final URI server;
    private final HttpClient http;

    GatewayClient(String server, byte[] caPem) throws GeneralSecurityException, IOException {
        this.server = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caPem != null) {
            b.sslContext(trusting(caPem));
        }
        this.http = b.build();
    }

    static SSLContext trusting(byte[] caPem) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(caPem));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("the CA bundle holds no certificate");
        }
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** Sends a request; answers the JSON body of a 2xx, or throws with the Status message. */
    JsonNode call(String method, String path, String bearer, String body) throws Failure {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) r.header("Content-Type", "application/json");
        if (bearer != null) r.header("Authorization", "Bearer " + bearer);
        HttpResponse<String> resp;
        try {
            resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure(0, "cannot reach kubegate at " + server + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(0, "interrupted");
        }
        JsonNode json;
        try {
            json = resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new Failure(resp.statusCode(), "kubegate answered " + resp.statusCode() + " with a body that is not JSON");
        }
        if (resp.statusCode() / 100 != 2) {
            String message = json.path("message").asText("");
            throw new Failure(resp.statusCode(), "kubegate refused (" + resp.statusCode() + "): "
                    + (message.isEmpty() ? resp.body() : message));
        }
        return json;
    }

    /** The first message along the cause chain (the JDK client often wraps a ConnectException without one). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
