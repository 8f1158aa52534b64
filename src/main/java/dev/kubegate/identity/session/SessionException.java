package dev.kubegate.identity.session;

import dev.kubegate.k8s.Status;

/** A session operation refused, with the Status the client gets. */
public class SessionException extends RuntimeException {

    private final transient Status status;

    public SessionException(Status status) {
        super(status.message());
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
