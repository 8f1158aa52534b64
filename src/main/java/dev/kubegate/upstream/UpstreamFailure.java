package dev.kubegate.upstream;

import dev.kubegate.k8s.Status;

/**
 * The call could not be completed with the API server before anything was sent to the client; the
 * gateway answers with {@link #status()}.
 */
public final class UpstreamFailure extends RuntimeException {

    private final transient Status status;

    public UpstreamFailure(Status status, Throwable cause) {
        super(status.message(), cause, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
