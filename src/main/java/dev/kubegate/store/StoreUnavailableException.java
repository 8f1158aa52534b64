package dev.kubegate.store;

/** The backing store could not answer; the caller must fail closed (503). */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
