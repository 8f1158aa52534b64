package dev.kubegate.gateway;

import dev.kubegate.k8s.RequestInfo;

import java.util.Set;

/**
 * Label values of the request metrics, each from a fixed set, so the number of series is bounded
 * whatever paths clients send: a resource is named only when it is a built-in Kubernetes resource
 * (group and resource as the API server serves them); custom resources, unknown names and anything
 * else a client can invent become {@link #OTHER}. Names, namespaces and non-resource paths are never
 * labels (they are in the access log, the audit record and the trace).
 */
final class MetricLabels {

    static final String OTHER = "other";

    /** Built-in resources as {@code group/resource} ({@code /pods} for the core group), Kubernetes 1.20–1.33. */
    private static final Set<String> BUILT_IN = Set.of(
            "/bindings", "/componentstatuses", "/configmaps", "/endpoints", "/events", "/limitranges", "/namespaces",
            "/nodes", "/persistentvolumeclaims", "/persistentvolumes", "/pods", "/podtemplates",
            "/replicationcontrollers", "/resourcequotas", "/secrets", "/serviceaccounts", "/services",
            "admissionregistration.k8s.io/mutatingwebhookconfigurations",
            "admissionregistration.k8s.io/validatingwebhookconfigurations",
            "admissionregistration.k8s.io/validatingadmissionpolicies",
            "admissionregistration.k8s.io/validatingadmissionpolicybindings",
            "apiextensions.k8s.io/customresourcedefinitions", "apiregistration.k8s.io/apiservices",
            "apps/controllerrevisions", "apps/daemonsets", "apps/deployments", "apps/replicasets", "apps/statefulsets",
            "authentication.k8s.io/tokenreviews", "authentication.k8s.io/selfsubjectreviews",
            "authorization.k8s.io/localsubjectaccessreviews", "authorization.k8s.io/selfsubjectaccessreviews",
            "authorization.k8s.io/selfsubjectrulesreviews", "authorization.k8s.io/subjectaccessreviews",
            "autoscaling/horizontalpodautoscalers", "batch/cronjobs", "batch/jobs",
            "certificates.k8s.io/certificatesigningrequests", "coordination.k8s.io/leases",
            "discovery.k8s.io/endpointslices", "events.k8s.io/events",
            "flowcontrol.apiserver.k8s.io/flowschemas", "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
            "networking.k8s.io/ingressclasses", "networking.k8s.io/ingresses", "networking.k8s.io/networkpolicies",
            "node.k8s.io/runtimeclasses", "policy/poddisruptionbudgets", "policy/podsecuritypolicies",
            "rbac.authorization.k8s.io/clusterrolebindings", "rbac.authorization.k8s.io/clusterroles",
            "rbac.authorization.k8s.io/rolebindings", "rbac.authorization.k8s.io/roles",
            "scheduling.k8s.io/priorityclasses", "storage.k8s.io/csidrivers", "storage.k8s.io/csinodes",
            "storage.k8s.io/csistoragecapacities", "storage.k8s.io/storageclasses", "storage.k8s.io/volumeattachments",
            "metrics.k8s.io/pods", "metrics.k8s.io/nodes");

    /** Subresources of built-in resources. */
    private static final Set<String> SUBRESOURCES = Set.of(
            "attach", "binding", "eviction", "ephemeralcontainers", "exec", "finalize", "log", "portforward", "proxy",
            "resize", "scale", "status", "token", "approval");

    /** The verbs {@link dev.kubegate.k8s.RequestInfoParser} produces. */
    private static final Set<String> VERBS = Set.of(
            "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "proxy", "connect",
            "head", "options", "post", "put");

    private MetricLabels() {
    }

    /** The labels of one call: {@code verb}, {@code group}, {@code resource}, {@code subresource}. */
    record Call(String verb, String group, String resource, String subresource) {
    }

    static Call of(RequestInfo info) {
        if (info == null) {
            return new Call("unknown", "", "", "");
        }
        String verb = VERBS.contains(info.verb()) ? info.verb() : OTHER;
        if (!info.isResourceRequest()) {
            return new Call(verb, "", "nonresource", "");
        }
        if (!BUILT_IN.contains(info.apiGroup() + "/" + info.resource())) {
            return new Call(verb, OTHER, OTHER, info.subresource().isEmpty() ? "" : OTHER);
        }
        String sub = info.subresource().isEmpty() || SUBRESOURCES.contains(info.subresource()) ? info.subresource() : OTHER;
        return new Call(verb, info.apiGroup(), info.resource(), sub);
    }

    /** {@code resource} or {@code resource/subresource}, bounded like {@link #of}. */
    static String resourcePath(RequestInfo info) {
        Call c = of(info);
        return c.subresource().isEmpty() ? c.resource() : c.resource() + "/" + c.subresource();
    }
}
