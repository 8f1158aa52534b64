/**
 * Inspect: what kubegate reads of a call before policy decides, read where the API server reads it.
 * {@link dev.kubegate.inspect.Inspection} reads the body policy must see (a write's object, a delete's
 * options), {@link dev.kubegate.inspect.DryRun} lets the API server resolve bodies kubegate does not
 * decode itself, and {@link dev.kubegate.inspect.ConditionalWrite} makes the forwarded write apply only
 * to the state policy judged. Runs on the request's event loop and never blocks.
 */
package dev.kubegate.inspect;
