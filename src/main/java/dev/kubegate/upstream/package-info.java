/**
 * The way to the cluster: the gateway's own credentials ({@code credentials}), the HTTP/1.1 and
 * HTTP/2 connection pools ({@link dev.kubegate.upstream.UpstreamClient}), forwarding of ordinary
 * calls ({@link dev.kubegate.upstream.HttpForwarder}) and of connection upgrades
 * ({@link dev.kubegate.upstream.UpgradeTunnel}), the header rules ({@link dev.kubegate.upstream.UpstreamHeaders})
 * and the {@code /readyz} probe.
 *
 * <p>Threading: everything here is non-blocking and runs on the calling event loop. Buffers: a
 * chunk read from one side is written to the other and released; the reading side is paused while
 * the writing side's queue is full, so memory per stream is bounded by the write queues.
 */
package dev.kubegate.upstream;
