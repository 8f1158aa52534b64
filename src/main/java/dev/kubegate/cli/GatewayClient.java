package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The CLI's client for kubegate's own API: the {@link KubegateApi} REST client, built
 * programmatically ({@link QuarkusRestClientBuilder}) because the server and the CA come from the
 * command line, trusting the given CA bundle (PEM) or the JVM's trust store when none is given.
 * Blocking, as CLI commands may be. Answers the JSON body of a 2xx, or throws a {@link Failure}
 * carrying the server's Status.
 */
final class GatewayClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A failure to show the user: the server's Status message, or what went wrong on the way. */
    static final class Failure extends Exception {
        final int code;
        /** The Status reason ("Forbidden", ...); empty when kubegate was not reached. */
        final String reason;
        /** The Status message alone (the exception message adds the code). */
        final String statusMessage;

        Failure(int code, String reason, String statusMessage, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
            this.statusMessage = statusMessage;
        }
    }

    private final URI server;
    private final KubegateApi api;

    GatewayClient(String server, byte[] caPem) throws GeneralSecurityException, IOException {
        this.server = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        QuarkusRestClientBuilder b = QuarkusRestClientBuilder.newBuilder().baseUri(this.server)
                .connectTimeout(10, TimeUnit.SECONDS).readTimeout(30, TimeUnit.SECONDS)
                .disableDefaultMapper(true); // a 4xx/5xx is a Status to show, not an exception
        if (caPem != null) {
            b.trustStore(trustStore(caPem)); // (the REST client takes a trust store, not an SSLContext)
        }
        this.api = b.build(KubegateApi.class);
    }

    String server() {
        return server.toString();
    }

    static KeyStore trustStore(byte[] caPem) throws GeneralSecurityException, IOException {
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
        return ks;
    }

    static String bearer(String token) {
        return token == null ? null : "Bearer " + token;
    }

    /** Calls the API; answers the JSON body of a 2xx, or throws with the Status message. */
    JsonNode call(Function<KubegateApi, Response> request) throws Failure {
        Response resp;
        try {
            resp = request.apply(api);
        } catch (ProcessingException e) {
            String why = "cannot reach kubegate at " + server + ": " + describe(e);
            throw new Failure(0, "", why, why);
        }
        try (resp) {
            int code = resp.getStatus();
            String body = resp.hasEntity() ? resp.readEntity(String.class) : "";
            JsonNode json;
            try {
                json = body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                String why = "kubegate answered " + code + " with a body that is not JSON";
                throw new Failure(code, "HTTP " + code, why, why);
            }
            if (code / 100 != 2) {
                String message = json.path("message").asText("");
                String shown = message.isEmpty() ? body : message;
                throw new Failure(code, json.path("reason").asText("HTTP " + code), shown,
                        "kubegate refused (" + code + "): " + shown);
            }
            return json;
        }
    }

    /** The first message along the cause chain (clients often wrap a ConnectException without one). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e.getClass().getSimpleName();
    }
}
