package dev.kubegate.policy;

/**
 * No trustworthy decision could be made: no bundle is loaded, the evaluation failed, the policy's
 * answer was not a valid decision, or too many evaluations are queued. The gateway answers 503
 * and forwards nothing: a missing decision is never an allow.
 */
public class PolicyUnavailableException extends RuntimeException {

    public PolicyUnavailableException(String message) {
        super(message);
    }

    public PolicyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
