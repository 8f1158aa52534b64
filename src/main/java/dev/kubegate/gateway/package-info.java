/**
 * The Vert.x route that wires the pipeline — the only place that knows the order of the steps a
 * Kubernetes API call goes through (classify, authenticate, forward, record). Also the gateway's
 * runtime state, its readiness check and its metrics.
 *
 * <p>Threading: the request path runs on event loops and never blocks. Start-up
 * ({@link dev.kubegate.gateway.GatewayRuntime}) runs on the main thread and may block on files.
 * Buffers: request and response bodies are streamed chunk by chunk and never accumulated here.
 */
package dev.kubegate.gateway;
