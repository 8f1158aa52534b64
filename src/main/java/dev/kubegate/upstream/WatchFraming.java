package dev.kubegate.upstream;

import io.vertx.core.buffer.Buffer;

import java.util.Locale;

/**
 * Where the events of a watch stream end, so that a stream kubegate ends itself (when a replica
 * stops) stops between two events and the client never reads half an event. The API server frames
 * JSON watches (and Table watches) as one JSON document per line, and protobuf watches as a 4-byte
 * big-endian length followed by that many bytes. For any other content type every chunk received
 * counts as whole (best effort: the API server writes one event per flush).
 *
 * <p>Not thread-safe: fed by the one event loop that relays the stream.
 */
final class WatchFraming {

    private enum Kind { JSON_LINES, LENGTH_PREFIXED, CHUNKS }

    private final Kind kind;
    private boolean lineOpen;
    private int headerRead;
    private long header;
    private long remaining;

    private WatchFraming(Kind kind) {
        this.kind = kind;
    }

    static WatchFraming forContentType(String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.contains("protobuf")) {
            return new WatchFraming(Kind.LENGTH_PREFIXED);
        }
        if (ct.isEmpty() || ct.contains("json")) {
            return new WatchFraming(Kind.JSON_LINES);
        }
        return new WatchFraming(Kind.CHUNKS);
    }

    /** True when every byte fed so far belongs to complete events. */
    boolean atBoundary() {
        return switch (kind) {
            case JSON_LINES -> !lineOpen;
            case LENGTH_PREFIXED -> headerRead == 0 && remaining == 0;
            case CHUNKS -> true;
        };
    }

    /**
     * Consumes {@code buf} from its start and returns how many bytes were consumed: all of them,
     * or — with {@code stopAtBoundary} — those up to and including the end of the first event that
     * completes in it.
     */
    int feed(Buffer buf, boolean stopAtBoundary) {
        int len = buf.length();
        switch (kind) {
            case CHUNKS:
                return len;
            case JSON_LINES:
                for (int i = 0; i < len; i++) {
                    lineOpen = buf.getByte(i) != '\n';
                    if (stopAtBoundary && !lineOpen) {
                        return i + 1;
                    }
                }
                return len;
            default:
                int i = 0;
                while (i < len) {
                    if (remaining > 0) {
                        int skip = (int) Math.min(remaining, len - i);
                        remaining -= skip;
                        i += skip;
                    } else {
                        header = (header << 8) | (buf.getByte(i++) & 0xff);
                        if (++headerRead < 4) {
                            continue;
                        }
                        remaining = header & 0xffffffffL;
                        headerRead = 0;
                        header = 0;
                    }
                    if (stopAtBoundary && atBoundary()) {
                        return i;
                    }
                }
                return len;
        }
    }
}
