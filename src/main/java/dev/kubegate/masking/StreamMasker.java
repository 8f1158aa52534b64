package dev.kubegate.masking;

/**
 * One response body being masked as it streams: a {@link JsonMasker}, a {@link LineMasker} or a
 * {@link WebSocketChannelMasker}. Chunks go in as they arrive, masked output comes out at once.
 *
 * <p>Not thread-safe; one instance per response. A {@link MaskingException} from either method
 * means the rest of the response must not be passed on (fail closed).
 */
public interface StreamMasker {

    /** Masks the next chunk; returns what is ready to send (possibly empty). The chunk is not kept. */
    byte[] feed(byte[] chunk, int off, int len);

    /** End of input: returns the rest; fails when the input is incomplete where that matters. */
    byte[] finish();

    /** Values (or text ranges) masked so far. */
    long maskedCount();

    /** True when everything fed so far has been emitted as complete units (a whole watch event, a whole frame). */
    default boolean atBoundary() {
        return true;
    }
}
