/**
 * The way to the cluster: the gateway's own credentials ({@code credentials}), the HTTP/1.1 and
 * HTTP/2 connection pools ({@link dev.kubegate.upstream.UpstreamClient}), forwarding of ordinary
 * calls ({@link dev.kubegate.upstream.HttpForwarder}: the request side, then one relay per kind of
 * answer — {@code PlainRelay}, {@code WatchRelay}, {@code MaskedAnswerRelay} — over one
 * {@code ForwardedExchange} each, with the backpressure rule of {@code Backpressure}) and of connection upgrades
 * ({@link dev.kubegate.upstream.UpgradeTunnel}), the header rules ({@link dev.kubegate.upstream.UpstreamHeaders})
 * and the {@code /readyz} probe. A {@link dev.kubegate.upstream.ResponseFilter} given by the gateway
 * picks a masker from the answer's head; masked bodies are fed chunk by chunk through it (and the
 * server→client side of a masked tunnel through {@code MaskedRelay}), with the same backpressure.
 * A {@link dev.kubegate.upstream.BodyCapture}, when the gateway gives one (audit level
 * RequestResponse, calls that end), keeps a bounded copy of the answer as sent.
 *
 * <p>Threading: everything here is non-blocking and runs on the calling event loop. Buffers: a
 * chunk read from one side is written to the other and released; the reading side is paused while
 * the writing side's queue is full, so memory per stream is bounded by the write queues (plus the
 * masker's own bounded state on masked streams). One exception, bounded: a finite masked JSON answer
 * is held until complete, up to {@link dev.kubegate.upstream.MaskWarning#HOLD_BYTES}, so its
 * {@code Warning} header can count the masked values; a larger one is streamed from there on.
 */
package dev.kubegate.upstream;
