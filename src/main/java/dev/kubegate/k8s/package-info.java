/**
 * Kubernetes request classification: a faithful port of the API server's {@code RequestInfo}
 * algorithm ({@code k8s.io/apiserver/pkg/endpoints/request/requestinfo.go}) plus the Go-compatible
 * query parsing and selector checks it depends on; and where the API server reads the rest of a
 * call: the body's media type ({@link dev.kubegate.k8s.MediaType}) and the options a write really
 * applies ({@link dev.kubegate.k8s.EffectiveOptions}).
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Pure.</b> Every function here is a function of its arguments: no I/O, no clock, no
 *       logging, no global state. No Vert.x or Quarkus types, so the package can be reused and
 *       tested on its own.</li>
 *   <li><b>Thread-safe.</b> All classes are stateless or immutable ({@link dev.kubegate.k8s.RequestInfo},
 *       {@link dev.kubegate.k8s.QueryParams}); share them freely across event-loop threads.</li>
 *   <li><b>Never blocks</b> and does work linear in the size of the request line, so it may run on
 *       an event loop.</li>
 *   <li><b>Fails closed.</b> Input the API server could read differently from us is refused with
 *       {@link dev.kubegate.k8s.InvalidRequestException} (mapped to a 400 {@code Status}); no other
 *       exception escapes for non-null arguments.</li>
 * </ul>
 */
package dev.kubegate.k8s;
