/**
 * How kubegate authenticates to the cluster it fronts: {@link dev.kubegate.upstream.credentials.UpstreamCredentials}
 * (server URL, TLS material as PEM, bearer token), built by
 * {@link dev.kubegate.upstream.credentials.UpstreamCredentialsFactory} from an
 * {@link dev.kubegate.upstream.credentials.UpstreamSource} (those of the {@code kubegate.upstream.*} settings it reads) — EKS
 * (AWS SDK v2 presigned STS tokens), a kubeconfig (certificates, tokens, token files, exec plugins), the in-cluster
 * service account, or a bare URL. The factory's javadoc gives the selection order.
 *
 * <p><b>Contract.</b> No Vert.x or Quarkus types: the gateway turns {@link dev.kubegate.upstream.credentials.TlsMaterial}
 * into its own client options. Client keys are always handed out as PKCS#8 PEM whatever the kubeconfig held.
 * Nothing here logs or puts into a message a token, a key or a presigned URL.
 *
 * <p><b>Threading — what may block, where.</b>
 * <ul>
 *   <li>{@code UpstreamCredentialsFactory.create} blocks (file reads, exec plugins, AWS calls, the first token): call
 *       it at start-up off the event loop. It fails with an {@link dev.kubegate.upstream.credentials.UpstreamCredentialsException}
 *       that says what to fix.</li>
 *   <li>Every {@code UpstreamCredentials} method is non-blocking and thread-safe: it reads values cached in volatile
 *       fields. Safe on the event loop, per request.</li>
 *   <li>Refreshes (exec plugin re-runs, EKS tokens every 10 minutes, token files every minute) run on one daemon
 *       thread per credentials instance, owned by it and stopped by {@code close()}. A failed refresh keeps the
 *       cached credential, retries with backoff (1 s doubling to 1 min), and {@code ready()} turns false only when
 *       the cached credential has expired.</li>
 * </ul>
 */
package dev.kubegate.upstream.credentials;
