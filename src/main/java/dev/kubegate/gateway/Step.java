package dev.kubegate.gateway;

import io.vertx.core.Future;

/**
 * One step of the pipeline {@link KubeApiGateway} runs for each Kubernetes API call. A step reads
 * and fills the call's {@link CallContext} and says how the call goes on ({@link Outcome}). It may
 * complete on any thread; the pipeline resumes on the call's own Vert.x context. A step that
 * fails (a failed future or an exception) refuses the call with 500: nothing goes upstream unchecked.
 * A new step is one class implementing this and one line in {@link KubeApiGateway#steps}.
 */
@FunctionalInterface
interface Step {

    Future<Outcome> apply(CallContext call);
}
