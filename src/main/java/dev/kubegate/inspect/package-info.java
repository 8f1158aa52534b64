/**
 * Inspect: what kubegate reads of a call before policy decides, read where the API server reads it.
 * {@link dev.kubegate.inspect.Inspection} reads the body policy must see (a write's object, a delete's
 * options), {@link dev.kubegate.inspect.DryRun} lets the API server resolve bodies kubegate does not
 * decode itself, and {@link dev.kubegate.inspect.ConditionalWrite} makes the forwarded write apply only
 * to the state policy judged.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Never blocks:</b> runs on the request's event loop. Reading the body
 *       ({@link dev.kubegate.inspect.BodyReader}) and asking the API server (dry run, the current
 *       object, through {@code upstream}) return {@code Future}s; decoding JSON
 *       ({@link dev.kubegate.inspect.ObjectDecoder}) and binding are pure and bounded by the body
 *       limit.</li>
 *   <li><b>Bounded memory:</b> a body is read only up to {@code kubegate.limits.max-request-body}
 *       (413 beyond, refused before a byte is read when the length is declared); a dry-run answer up
 *       to four times that.</li>
 *   <li><b>Buffers:</b> the body read is owned by the {@link dev.kubegate.inspect.Inspection} and
 *       forwarded as is (or as bound) once policy allows the call; nothing here writes to the client.</li>
 *   <li><b>Failures</b> are {@link dev.kubegate.inspect.InspectionException}s carrying the Status to
 *       answer (400, 409, 413, 415); a refused dry run is relayed as the API server answered it.</li>
 * </ul>
 */
package dev.kubegate.inspect;
