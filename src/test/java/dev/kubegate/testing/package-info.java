/**
 * Test support, never shipped: {@link dev.kubegate.testing.FakeKubeApiServer}, a Kubernetes API
 * server double that the real kubectl works against, and {@link dev.kubegate.testing.Kubectl}, which
 * runs kubectl with a kubeconfig. {@link dev.kubegate.testing.Postgres} runs a private, real
 * PostgreSQL 15 (temporary directory, free port) that tests can stop, kill and restart.
 *
 * <p>Contract: all server state (objects, watches, log followers, exec sessions) is owned by one
 * Vert.x event loop; handlers never block and never lock. The public methods of the server are
 * thread-safe: readers use concurrent structures, writers hop onto the event loop and wait for it.
 * Request bodies are read whole (they are small); responses that stream (watch, log follow) write
 * each event as it happens and stop as soon as the client's connection or HTTP/2 stream closes.
 */
package dev.kubegate.testing;
