package dev.kubegate.upstream.credentials;

import java.util.Optional;

/**
 * TLS settings towards the API server, as PEM text so that the gateway can build its own (Vert.x) options.
 *
 * @param caPem             trusted CA certificates; empty means the JVM's default trust store
 * @param clientCertPem     client certificate chain, present together with {@code clientKeyPkcs8Pem}
 * @param clientKeyPkcs8Pem client private key, always converted to a PKCS#8 {@code PRIVATE KEY} block
 * @param insecureSkipVerify do not verify the server certificate (never in production)
 * @param serverName        SNI / name to verify instead of the URL's host (kubeconfig {@code tls-server-name})
 */
public record TlsMaterial(Optional<String> caPem, Optional<String> clientCertPem,
                          Optional<String> clientKeyPkcs8Pem, boolean insecureSkipVerify,
                          Optional<String> serverName) {

    public TlsMaterial {
        if (clientCertPem.isPresent() != clientKeyPkcs8Pem.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate");
        }
    }

    static TlsMaterial none() {
        return new TlsMaterial(Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty());
    }

    TlsMaterial withCa(Optional<String> ca) {
        return new TlsMaterial(ca, clientCertPem, clientKeyPkcs8Pem, insecureSkipVerify, serverName);
    }

    TlsMaterial withClientCert(String certPem, String keyPkcs8Pem) {
        return new TlsMaterial(caPem, Optional.of(certPem), Optional.of(keyPkcs8Pem), insecureSkipVerify, serverName);
    }

    TlsMaterial withInsecureSkipVerify(boolean insecure) {
        return new TlsMaterial(caPem, clientCertPem, clientKeyPkcs8Pem, insecure, serverName);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "TlsMaterial[ca=" + caPem.isPresent() + ", clientCert=" + clientCertPem.isPresent()
                + ", insecureSkipVerify=" + insecureSkipVerify + ", serverName=" + serverName.orElse("") + "]";
    }
}
