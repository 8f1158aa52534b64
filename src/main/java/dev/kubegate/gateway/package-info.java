/**
 * The Vert.x route that wires the pipeline — {@link dev.kubegate.gateway.KubeApiGateway} is the only
 * place that knows the order of the steps a Kubernetes API call goes through. Each call gets one
 * {@link dev.kubegate.gateway.CallContext}; each step is a class implementing
 * {@link dev.kubegate.gateway.Step} and ends in an {@link dev.kubegate.gateway.Outcome}: proceed,
 * refuse with a {@code Status}, or answered by the step itself. As the pipeline runs them:
 * <ol>
 *   <li><b>Begin the record</b> (before any step): the trail starts the call's {@code CallRecord}, so
 *       every outcome below ends as one audit record and one access log line
 *       ({@link dev.kubegate.gateway.CallEnd}, {@link dev.kubegate.gateway.AccessLog}).</li>
 *   <li>{@link dev.kubegate.gateway.Serving}: a replica starting or stopping refuses with 503.</li>
 *   <li>{@link dev.kubegate.gateway.Classify}: the query is parsed once and the API server's
 *       {@code RequestInfo} computed from it ({@code k8s}); anything it could read differently is 400.</li>
 *   <li>{@link dev.kubegate.gateway.AuditReady}: while the audit log cannot write, every call is 503.</li>
 *   <li>{@link dev.kubegate.gateway.Authenticate}: the bearer credential becomes a {@code Principal}
 *       ({@code identity}); 401, or 503 when an identity back end cannot answer.</li>
 *   <li>{@link dev.kubegate.gateway.UpstreamReady}: upstream credentials fresh, else 503; then the
 *       upstream headers are built, with the principal's {@link dev.kubegate.gateway.Impersonations impersonation}.</li>
 *   <li>{@link dev.kubegate.gateway.Inspect}: the body policy must see and, in parallel, the object as
 *       it is now ({@code inspect}); 400/413/415 when it cannot be read.</li>
 *   <li>{@link dev.kubegate.gateway.Decide}: the policy input is built and evaluated ({@code policy});
 *       503 when it cannot decide, 403 on a deny ({@link dev.kubegate.gateway.Decisions}).</li>
 *   <li>{@link dev.kubegate.gateway.RelayDryRunRefusal}: when the API server refused the dry run,
 *       policy decided without the object and, unless it denied, that refusal is the answer, relayed
 *       only when the object holds nothing the caller's answers hide
 *       ({@link dev.kubegate.gateway.ResponseMasking#hiddenIn}).</li>
 *   <li>{@link dev.kubegate.gateway.PlanMasking}: the decision's mask becomes the answer's plan
 *       ({@link dev.kubegate.gateway.ResponseMasking}); a call whose answer cannot be masked is refused
 *       here, before any approval; a pod's logs or exec output first learns the values of the Secrets
 *       the pod can read ({@link dev.kubegate.gateway.KnownValueResolver}).</li>
 *   <li>{@link dev.kubegate.gateway.Approve}, when the decision requires it: held by {@code approval}
 *       until a human decides; 403 with the approval id otherwise.</li>
 *   <li>{@link dev.kubegate.gateway.Bind}: a write's body is made conditional on the state policy
 *       judged ({@code inspect.ConditionalWrite}); 409 when it names another version.</li>
 *   <li>{@link dev.kubegate.gateway.RecordIntent}: a mutation goes upstream only once its intent
 *       record is durable ({@code trail}); 503 otherwise.</li>
 *   <li>{@link dev.kubegate.gateway.Forward} through {@code upstream} (or its tunnel for
 *       exec/attach/port-forward), the answer streaming back through the planned maskers; 503/504
 *       when the API server cannot be reached or is too slow. Then the call record is closed;
 *       metrics and the access log follow.</li>
 * </ol>
 * A new step is one class implementing {@code Step} and one line in {@code KubeApiGateway#steps}.
 * Also the gateway's runtime state, its readiness check and its metrics.
 *
 * <p>Threading: the request path runs on event loops and never blocks; a step may complete on any
 * thread and the pipeline resumes on the request's own Vert.x context. Start-up
 * ({@link dev.kubegate.gateway.GatewayRuntime}) runs on the main thread and may block on files.
 * Buffers: request and response bodies are streamed chunk by chunk and never accumulated here.
 */
package dev.kubegate.gateway;
