package dev.kubegate.approval;

import dev.kubegate.k8s.Status;

/** An approval operation refused, with the Status the caller gets. */
public class ApprovalException extends RuntimeException {

    private final transient Status status;

    public ApprovalException(Status status) {
        super(status.message(), null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
