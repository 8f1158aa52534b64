package dev.kubegate.masking;

/**
 * The input cannot be masked with certainty (not valid JSON, too deep, a token over the size limit,
 * ambiguous, truncated). The caller must not pass the rest of the response through: fail closed.
 */
public final class MaskingException extends RuntimeException {
    public MaskingException(String message) {
        super(message);
    }

    public MaskingException(String message, Throwable cause) {
        super(message, cause);
    }
}
