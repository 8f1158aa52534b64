package dev.kubegate.upstream;

import dev.kubegate.masking.StreamMasker;
import io.vertx.core.MultiMap;

/**
 * Decides, from the API server's response head, how the body is transformed on its way to the
 * client. Runs on the event loop; must not block.
 */
@FunctionalInterface
public interface ResponseFilter {

    /** Every answer passes as it is. */
    ResponseFilter NONE = (status, headers) -> null;

    /**
     * The masker for this answer, or null to pass it through unchanged. Throws
     * {@link UpstreamFailure} to refuse the answer before anything reaches the client (fail closed:
     * an answer that must be masked but cannot be read).
     *
     * @param status  the API server's HTTP status (101 for an upgraded connection)
     * @param headers the API server's response headers
     */
    StreamMasker open(int status, MultiMap headers);
}
