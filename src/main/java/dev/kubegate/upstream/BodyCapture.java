package dev.kubegate.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * A bounded copy of the answer a client was sent (after masking), for the audit record at level
 * {@code RequestResponse}. Keeps at most {@code max} bytes; past that it only counts, so a large
 * answer costs no more memory than the limit. Filled on the call's event loop, read once it ended.
 */
public final class BodyCapture {

    private final int max;
    private Buffer bytes;
    private long seen;
    private String contentType;
    private String contentEncoding;

    public BodyCapture(long max) {
        this.max = (int) Math.min(Math.max(max, 0), Integer.MAX_VALUE - 8);
    }

    /** The answer's head, as sent to the client. */
    public void head(MultiMap headers) {
        contentType = headers.get(HttpHeaders.CONTENT_TYPE);
        contentEncoding = headers.get(HttpHeaders.CONTENT_ENCODING);
    }

    /** A chunk sent to the client. */
    public void add(Buffer chunk) {
        long before = seen;
        seen += chunk.length();
        if (before >= max) {
            return;
        }
        if (bytes == null) {
            bytes = Buffer.buffer((int) Math.min(max, Math.max(chunk.length(), 1024)));
        }
        int room = (int) (max - before);
        bytes.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
    }

    /** True when the answer was longer than the limit (only its first bytes are kept). */
    public boolean truncated() {
        return seen > max;
    }

    /** Body bytes seen, kept or not. */
    public long length() {
        return seen;
    }

    /** The kept bytes (all of them unless {@link #truncated()}). */
    public byte[] bytes() {
        return bytes == null ? new byte[0] : bytes.getBytes();
    }

    public String contentType() {
        return contentType;
    }

    public String contentEncoding() {
        return contentEncoding;
    }
}
