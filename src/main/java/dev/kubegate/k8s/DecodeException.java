package dev.kubegate.k8s;

/**
 * A query parameter the API server's ListOptions decoding would reject (bad selector, bad integer).
 * Internal: the API server does not fail the request for it while computing RequestInfo, it falls
 * back to simpler rules, and so do we.
 */
final class DecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    DecodeException(String message) {
        super(message, null, false, false);
    }
}
