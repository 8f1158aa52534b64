package dev.kubegate.upstream.credentials;

/** Upstream credentials cannot be set up or refreshed; the message says what to fix and never holds secrets. */
public class UpstreamCredentialsException extends RuntimeException {
    public UpstreamCredentialsException(String message) {
        super(message);
    }

    public UpstreamCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
