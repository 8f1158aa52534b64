package dev.kubegate.k8s;

/**
 * A request kubegate refuses to classify because it is malformed or could be read differently by
 * the API server than by us. The message is meant for the client: the gateway answers it as a
 * Kubernetes {@code Status} with reason {@code BadRequest} and code 400.
 */
public final class InvalidRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }
}
