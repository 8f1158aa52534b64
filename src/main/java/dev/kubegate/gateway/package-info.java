/**
 * The Vert.x route that wires the pipeline — {@link dev.kubegate.gateway.KubeApiGateway} is the only
 * place that knows the order of the steps a Kubernetes API call goes through. As the code runs them:
 * <ol>
 *   <li><b>Begin the record</b>: the trail starts the call's {@code CallRecord}, so every outcome
 *       below ends as one audit record and one access log line.</li>
 *   <li><b>Serving?</b> A replica starting or stopping refuses with 503.</li>
 *   <li><b>Classify</b>: the query is parsed once and the API server's {@code RequestInfo} computed
 *       from it ({@code k8s}); anything it could read differently is 400.</li>
 *   <li><b>Can we record?</b> While the audit log cannot write, every call is 503.</li>
 *   <li><b>Authenticate</b>: the bearer credential becomes a {@code Principal} ({@code identity});
 *       401, or 503 when an identity back end cannot answer.</li>
 *   <li><b>Upstream credentials fresh?</b> Else 503; then the upstream headers are built, with the
 *       principal's {@link dev.kubegate.gateway.Impersonations impersonation}.</li>
 *   <li><b>Inspect</b>: the body policy must see and, in parallel, the object as it is now
 *       ({@code inspect}); 400/413/415 when it cannot be read.</li>
 *   <li><b>Decide</b>: the policy input is built and evaluated ({@code policy}); 503 when it cannot
 *       decide, 403 on a deny ({@link dev.kubegate.gateway.Decisions}). When the API server refused
 *       the dry run, policy decides without the object and, unless it denies, that refusal is the
 *       answer, cleaned of every value the caller's answers hide
 *       ({@link dev.kubegate.gateway.ResponseMasking#hiddenIn}).</li>
 *   <li><b>Plan masking</b>: the decision's mask becomes the answer's plan
 *       ({@link dev.kubegate.gateway.ResponseMasking}); a call whose answer cannot be masked is refused
 *       here, before any approval; a pod's logs or exec output first learns the values of the Secrets
 *       the pod can read ({@link dev.kubegate.gateway.KnownValueResolver}).</li>
 *   <li><b>Approve</b>, when the decision requires it: held by {@code approval} until a human decides;
 *       403 with the approval id otherwise.</li>
 *   <li><b>Bind</b>: a write's body is made conditional on the state policy judged
 *       ({@code inspect.ConditionalWrite}); 409 when it names another version.</li>
 *   <li><b>Record the intent</b>: a mutation goes upstream only once its intent record is durable
 *       ({@code trail}); 503 otherwise.</li>
 *   <li><b>Forward</b> through {@code upstream} (or its tunnel for exec/attach/port-forward), the
 *       answer streaming back through the planned maskers; 503/504 when the API server cannot be
 *       reached or is too slow.</li>
 *   <li><b>Record</b> the outcome: the call record is closed; metrics and the access log follow.</li>
 * </ol>
 * Also the gateway's runtime state, its readiness check and its metrics.
 *
 * <p>Threading: the request path runs on event loops and never blocks; each asynchronous step
 * continues on the request's own Vert.x context. Start-up ({@link dev.kubegate.gateway.GatewayRuntime})
 * runs on the main thread and may block on files.
 * Buffers: request and response bodies are streamed chunk by chunk and never accumulated here.
 */
package dev.kubegate.gateway;
