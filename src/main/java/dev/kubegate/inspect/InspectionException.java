package dev.kubegate.inspect;

import dev.kubegate.k8s.Status;

/** A body policy must see could not be read or resolved; the call is refused with {@link #status()}. */
public final class InspectionException extends RuntimeException {

    private final transient Status status;

    public InspectionException(Status status) {
        super(status.message(), null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
