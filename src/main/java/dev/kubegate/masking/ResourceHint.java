package dev.kubegate.masking;

/**
 * What the caller knows about a response from the request classification, so masking does not
 * depend only on what the document says about itself.
 */
public enum ResourceHint {
    /** Nothing known: masking relies on in-document detection ({@code kind}, list kinds). */
    NONE,
    /**
     * The request is for Secrets ({@code resource: secrets}, any verb, list or watch): every
     * resource object in the answer is treated as a Secret whatever its {@code kind} says.
     */
    SECRETS
}
