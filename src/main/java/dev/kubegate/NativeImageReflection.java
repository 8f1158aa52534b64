package dev.kubegate;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Native image only (./mvnw package -Dnative): records that Jackson data binding may read or write
 * reflectively — REST answers, audit and lifecycle records, policy decisions — kept with their
 * constructors, accessors and nested records. The JVM build ignores this. Names are compiled, so a
 * renamed record fails the build here instead of failing in the native executable.
 * Add new Jackson-mapped records (audit, store, approval documents) to this list.
 */
@RegisterForReflection(targets = {
        dev.kubegate.k8s.Status.class,
        dev.kubegate.k8s.Status.Cause.class,
        dev.kubegate.audit.LifecycleEvent.class,
        dev.kubegate.identity.Principal.class,
        dev.kubegate.identity.Principal.Session.class,
        dev.kubegate.identity.TokenFile.Entry.class,
        dev.kubegate.policy.PolicyDecision.class,
        dev.kubegate.policy.PolicyDecision.Approval.class,
        dev.kubegate.policy.PolicyDecision.Mask.class,
        dev.kubegate.policy.PolicyDecision.Audit.class,
        dev.kubegate.upstream.UpstreamProbe.Result.class,
}, ignoreNested = false)
public final class NativeImageReflection {
    private NativeImageReflection() {
    }
}
