package dev.kubegate.upstream.credentials;

import java.util.Optional;

/** What a credential source yields: a bearer token and/or a client certificate (key already PKCS#8). */
record ClientAuth(Optional<String> token, Optional<String> certPem, Optional<String> keyPkcs8Pem) {

    static final ClientAuth NONE = new ClientAuth(Optional.empty(), Optional.empty(), Optional.empty());

    static ClientAuth token(String token) {
        return new ClientAuth(Optional.of(token), Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return "ClientAuth[token=" + token.isPresent() + ", cert=" + certPem.isPresent() + "]";
    }
}
