package dev.kubegate.store;

/** A create found the id taken, or an update found a version other than the expected one. */
public class StoreConflictException extends RuntimeException {

    public StoreConflictException(String kind, String id) {
        super(kind + "/" + id + " was changed concurrently or already exists");
    }
}
