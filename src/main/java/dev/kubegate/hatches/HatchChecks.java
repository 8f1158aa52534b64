package dev.kubegate.hatches;

import java.util.List;

/**
 * What the report asks the API server about each agent: rights that let an agent get around kubegate
 * (a credential or workload identity that works without it) or escalate past RBAC. Pure data.
 */
public final class HatchChecks {

    /** HATCH: the agent can get around kubegate or escalate (exit code 1). INFO: worth knowing, kubegate covers it. */
    public enum Severity {
        HATCH, INFO;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One SubjectAccessReview: may the agent {@code verb} {@code group}/{@code resource}[/{@code subresource}]? */
    public record Check(String kind, Severity severity, String verb, String group, String resource, String subresource,
                        String what) {

        public String resourcePath() {
            return subresource.isEmpty() ? resource : resource + "/" + subresource;
        }
    }

    private HatchChecks() {
    }

    private static Check hatch(String kind, String verb, String group, String resource, String subresource, String what) {
        return new Check(kind, Severity.HATCH, verb, group, resource, subresource, what);
    }

    /** Cluster-scoped rights, asked once per agent. */
    public static final List<Check> CLUSTER = List.of(
            hatch("impersonate", "impersonate", "", "users", "", "impersonate users"),
            hatch("impersonate", "impersonate", "", "groups", "", "impersonate groups"),
            hatch("impersonate", "impersonate", "", "serviceaccounts", "", "impersonate service accounts"),
            hatch("impersonate", "impersonate", "authentication.k8s.io", "uids", "", "impersonate uids"),
            hatch("escalate", "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "escalate clusterroles"),
            hatch("escalate", "escalate", "rbac.authorization.k8s.io", "roles", "", "escalate roles"),
            hatch("bind", "bind", "rbac.authorization.k8s.io", "clusterroles", "", "bind clusterroles"),
            hatch("bind", "bind", "rbac.authorization.k8s.io", "roles", "", "bind roles"),
            hatch("csr-create", "create", "certificates.k8s.io", "certificatesigningrequests", "", "create certificatesigningrequests"),
            hatch("csr-approve", "update", "certificates.k8s.io", "certificatesigningrequests", "approval", "approve certificatesigningrequests"),
            hatch("csr-approve", "update", "certificates.k8s.io", "certificatesigningrequests", "status", "sign certificatesigningrequests (status)"),
            hatch("admission-webhooks", "create", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "create mutatingwebhookconfigurations"),
            hatch("admission-webhooks", "update", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "", "update mutatingwebhookconfigurations"),
            hatch("admission-webhooks", "create", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "", "create validatingwebhookconfigurations"),
            hatch("admission-webhooks", "update", "admissionregistration.k8s.io", "validatingwebhookconfigurations", "", "update validatingwebhookconfigurations"),
            hatch("nodes-proxy", "get", "", "nodes", "proxy", "get nodes/proxy (the kubelet API)"),
            hatch("nodes-proxy", "create", "", "nodes", "proxy", "create nodes/proxy (the kubelet API)"));

    /** Namespaced rights, asked for all namespaces at once and, when not granted there, per namespace. */
    public static final List<Check> NAMESPACED = List.of(
            hatch("serviceaccount-token", "create", "", "serviceaccounts", "token", "create serviceaccounts/token"),
            new Check("secrets-read", Severity.INFO, "get", "", "secrets", "", "get secrets"),
            new Check("secrets-read", Severity.INFO, "list", "", "secrets", "", "list secrets"),
            new Check("secrets-read", Severity.INFO, "watch", "", "secrets", "", "watch secrets"),
            new Check("pods-exec", Severity.INFO, "create", "", "pods", "exec", "create pods/exec"),
            new Check("pods-exec", Severity.INFO, "create", "", "pods", "attach", "create pods/attach"),
            new Check("pods-exec", Severity.INFO, "create", "", "pods", "portforward", "create pods/portforward"));

    /**
     * Writers of pod specs: asked only in namespaces that hold service accounts other than
     * {@code default}, since a pod there can run as one of them ({@code pods-as-serviceaccount}).
     */
    public static final List<Check> POD_WRITERS = List.of(
            hatch("pods-as-serviceaccount", "create", "", "pods", "", "create pods"),
            hatch("pods-as-serviceaccount", "create", "apps", "deployments", "", "create deployments"),
            hatch("pods-as-serviceaccount", "create", "apps", "statefulsets", "", "create statefulsets"),
            hatch("pods-as-serviceaccount", "create", "apps", "daemonsets", "", "create daemonsets"),
            hatch("pods-as-serviceaccount", "create", "apps", "replicasets", "", "create replicasets"),
            hatch("pods-as-serviceaccount", "create", "", "replicationcontrollers", "", "create replicationcontrollers"),
            hatch("pods-as-serviceaccount", "create", "batch", "jobs", "", "create jobs"),
            hatch("pods-as-serviceaccount", "create", "batch", "cronjobs", "", "create cronjobs"));
}
