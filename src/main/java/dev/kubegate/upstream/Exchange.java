package dev.kubegate.upstream;

/**
 * What happened to one forwarded call, for metrics, logs and audit.
 *
 * @param status        HTTP status the client received (101 for an upgraded connection)
 * @param requestBytes  body bytes sent upstream (both directions' client→server bytes for tunnels)
 * @param responseBytes body bytes sent to the client
 * @param complete      false when the stream was cut (client went away, API server failed mid-stream,
 *                      or the answer could not be masked)
 * @param maskedCount   values (JSON fields, text ranges) masked in the answer; 0 when not masked
 */
public record Exchange(int status, long requestBytes, long responseBytes, boolean complete, long maskedCount) {

    public Exchange(int status, long requestBytes, long responseBytes, boolean complete) {
        this(status, requestBytes, responseBytes, complete, 0);
    }
}
