package dev.kubegate.audit;

/** The audit log cannot accept an entry now (disk full or unwritable, buffer full, closed): fail closed. */
public class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message) {
        super(message);
    }

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
