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
     * resource object in the answer is treated as a Secret whatever its {@code kind} says, and its
     * values are masked wherever they appear in it (see {@link WholeObjectMasker}).
     */
    SECRETS,
    /** {@code serviceaccounts/token}: the answer's {@code status.token} is a live token. */
    TOKEN_REQUEST,
    /** {@code tokenreviews}: the answer echoes the reviewed token in {@code spec.token}. */
    TOKEN_REVIEW,
    /** {@code certificatesigningrequests}: {@code status.certificate} is an issued client certificate. */
    CERTIFICATE_REQUESTS;

    /** Whether this answer carries a credential the API server minted or echoed. */
    public boolean credentials() {
        return this == TOKEN_REQUEST || this == TOKEN_REVIEW || this == CERTIFICATE_REQUESTS;
    }

    /** The hint for a resource request, from its API group, resource and subresource. */
    public static ResourceHint of(String apiGroup, String resource, String subresource) {
        return switch (apiGroup + "/" + resource) {
            case "/secrets" -> SECRETS;
            case "/serviceaccounts" -> "token".equals(subresource) ? TOKEN_REQUEST : NONE;
            case "authentication.k8s.io/tokenreviews" -> TOKEN_REVIEW;
            case "certificates.k8s.io/certificatesigningrequests" -> CERTIFICATE_REQUESTS;
            default -> NONE;
        };
    }
}
