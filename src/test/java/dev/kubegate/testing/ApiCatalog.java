package dev.kubegate.testing;

import static dev.kubegate.testing.ResourceType.of;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The resources the double serves, and every discovery document derived from them: legacy
 * discovery ({@code /api}, {@code /apis}, {@code /apis/g}, {@code /apis/g/v}), aggregated discovery
 * (apidiscovery.k8s.io v2 and v2beta1, which kubectl 1.32 asks for first) and a minimal OpenAPI v3.
 */
final class ApiCatalog {
    static final String VERSION = "v1.32.0";

    private static final List<String> RW = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> RW_NO_COLLECTION = List.of("create", "delete", "get", "list", "patch", "update", "watch");
    private static final List<String> CREATE = List.of("create");
    private static final List<String> ALL = List.of("all");
    private static final List<String> NONE = List.of();

    static final ResourceType PODS = of("", "pods", "Pod", true, RW, List.of("po"), ALL,
            sub("attach", "PodAttachOptions", "create", "get"), sub("ephemeralcontainers", "Pod", "get", "patch", "update"),
            sub("exec", "PodExecOptions", "create", "get"), sub("log", "Pod", "get"),
            sub("portforward", "PodPortForwardOptions", "create", "get"), status("Pod"));
    static final ResourceType NAMESPACES = of("", "namespaces", "Namespace", false, RW_NO_COLLECTION, List.of("ns"), NONE,
            sub("finalize", "Namespace", "update"), status("Namespace"));

    static final ResourceType NODES = of("", "nodes", "Node", false, RW, List.of("no"), NONE, status("Node"));

    static final List<ResourceType> TYPES = List.of(
            PODS,
            NODES,
            of("", "services", "Service", true, RW, List.of("svc"), ALL, status("Service")),
            of("", "configmaps", "ConfigMap", true, RW, List.of("cm"), NONE),
            of("", "secrets", "Secret", true, RW, NONE, NONE),
            NAMESPACES,
            of("", "serviceaccounts", "ServiceAccount", true, RW, List.of("sa"), NONE),
            of("", "events", "Event", true, RW, List.of("ev"), NONE),
            of("apps", "deployments", "Deployment", true, RW, List.of("deploy"), ALL, scale(), status("Deployment")),
            of("apps", "statefulsets", "StatefulSet", true, RW, List.of("sts"), ALL, scale(), status("StatefulSet")),
            of("apps", "daemonsets", "DaemonSet", true, RW, List.of("ds"), ALL, status("DaemonSet")),
            of("apps", "replicasets", "ReplicaSet", true, RW, List.of("rs"), ALL, scale(), status("ReplicaSet")),
            of("batch", "jobs", "Job", true, RW, NONE, ALL, status("Job")),
            of("batch", "cronjobs", "CronJob", true, RW, List.of("cj"), ALL, status("CronJob")),
            of("networking.k8s.io", "networkpolicies", "NetworkPolicy", true, RW, List.of("netpol"), NONE),
            of("networking.k8s.io", "ingresses", "Ingress", true, RW, List.of("ing"), NONE, status("Ingress")),
            of("rbac.authorization.k8s.io", "roles", "Role", true, RW, NONE, NONE),
            of("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true, RW, NONE, NONE),
            of("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false, RW, NONE, NONE),
            of("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false, RW, NONE, NONE),
            of("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, CREATE, NONE, NONE),
            of("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", false, CREATE, NONE, NONE),
            of("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", false, CREATE, NONE, NONE),
            of("authentication.k8s.io", "tokenreviews", "TokenReview", false, CREATE, NONE, NONE));

    private ApiCatalog() {
    }

    private static ResourceType.Sub sub(String name, String kind, String... verbs) {
        return new ResourceType.Sub(name, null, kind, List.of(verbs));
    }

    private static ResourceType.Sub scale() {
        return new ResourceType.Sub("scale", "autoscaling", "Scale", List.of("get", "patch", "update"));
    }

    private static ResourceType.Sub status(String kind) {
        return sub("status", kind, "get", "patch", "update");
    }

    static Optional<ResourceType> find(String group, String version, String resource) {
        return TYPES.stream().filter(t -> t.group().equals(group) && t.version().equals(version) && t.name().equals(resource)).findFirst();
    }

    static Optional<ResourceType> byKind(String apiVersion, String kind) {
        return TYPES.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    /** Named API groups in the order /apis lists them. */
    static Set<String> groups() {
        Set<String> groups = new LinkedHashSet<>();
        TYPES.stream().map(ResourceType::group).filter(g -> !g.isEmpty()).forEach(groups::add);
        return groups;
    }

    static boolean servesGroupVersion(String group, String version) {
        return TYPES.stream().anyMatch(t -> t.group().equals(group) && t.version().equals(version));
    }

    // ---- legacy discovery --------------------------------------------------------------------

    static ObjectNode apiVersions(String serverAddress) {
        ObjectNode o = Json.object().put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        o.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return o;
    }

    static ObjectNode apiGroupList() {
        ObjectNode o = Json.object().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        groups().forEach(g -> groups.add(apiGroup(g).without(List.of("kind", "apiVersion"))));
        return o;
    }

    static ObjectNode apiGroup(String group) {
        ObjectNode o = Json.object().put("kind", "APIGroup").put("apiVersion", "v1").put("name", group);
        ObjectNode v = Json.object().put("groupVersion", group + "/v1").put("version", "v1");
        o.putArray("versions").add(v);
        o.set("preferredVersion", v.deepCopy());
        return o;
    }

    static ObjectNode resourceList(String group, String version) {
        ObjectNode o = Json.object().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = o.putArray("resources");
        for (ResourceType t : TYPES) {
            if (!t.group().equals(group) || !t.version().equals(version)) {
                continue;
            }
            ObjectNode r = resources.addObject().put("name", t.name()).put("singularName", t.singular())
                    .put("namespaced", t.namespaced()).put("kind", t.kind());
            strings(r.putArray("verbs"), t.verbs());
            if (!t.shortNames().isEmpty()) {
                strings(r.putArray("shortNames"), t.shortNames());
            }
            if (!t.categories().isEmpty()) {
                strings(r.putArray("categories"), t.categories());
            }
            for (ResourceType.Sub s : t.subresources().values()) {
                ObjectNode sr = resources.addObject().put("name", t.name() + "/" + s.name()).put("singularName", "")
                        .put("namespaced", t.namespaced());
                if (s.group() != null) {
                    sr.put("group", s.group()).put("version", "v1");
                }
                sr.put("kind", s.kind());
                strings(sr.putArray("verbs"), s.verbs());
            }
        }
        return o;
    }

    // ---- aggregated discovery ----------------------------------------------------------------

    /**
     * APIGroupDiscoveryList for {@code /api} (core only) or {@code /apis} (named groups only).
     *
     * @param discoveryVersion "v2" or "v2beta1"; the document shape is the same
     */
    static ObjectNode aggregated(boolean core, String discoveryVersion) {
        ObjectNode o = Json.object().put("kind", "APIGroupDiscoveryList")
                .put("apiVersion", "apidiscovery.k8s.io/" + discoveryVersion);
        o.putObject("metadata");
        ArrayNode items = o.putArray("items");
        Set<String> groups = core ? Set.of("") : groups();
        for (String g : groups) {
            ObjectNode item = items.addObject();
            ObjectNode meta = item.putObject("metadata");
            if (!g.isEmpty()) {
                meta.put("name", g);
            }
            meta.putNull("creationTimestamp");
            ObjectNode version = item.putArray("versions").addObject().put("version", "v1");
            ArrayNode resources = version.putArray("resources");
            version.put("freshness", "Current");
            for (ResourceType t : TYPES) {
                if (!t.group().equals(g)) {
                    continue;
                }
                ObjectNode r = resources.addObject().put("resource", t.name());
                r.set("responseKind", kind(t.group(), t.kind()));
                r.put("scope", t.namespaced() ? "Namespaced" : "Cluster").put("singularResource", t.singular());
                strings(r.putArray("verbs"), t.verbs());
                if (!t.shortNames().isEmpty()) {
                    strings(r.putArray("shortNames"), t.shortNames());
                }
                if (!t.categories().isEmpty()) {
                    strings(r.putArray("categories"), t.categories());
                }
                if (!t.subresources().isEmpty()) {
                    ArrayNode subs = r.putArray("subresources");
                    for (ResourceType.Sub s : t.subresources().values()) {
                        ObjectNode sr = subs.addObject().put("subresource", s.name());
                        sr.set("responseKind", kind(s.group() == null ? t.group() : s.group(), s.kind()));
                        strings(sr.putArray("verbs"), s.verbs());
                    }
                }
            }
        }
        return o;
    }

    private static ObjectNode kind(String group, String kind) {
        return Json.object().put("group", group).put("version", "v1").put("kind", kind);
    }

    // ---- OpenAPI v3 --------------------------------------------------------------------------

    /** {@code /openapi/v3}: one entry per group version, as the apiserver lists them. */
    static ObjectNode openApiRoot() {
        ObjectNode paths = Json.object();
        paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=FAKE");
        groups().forEach(g -> paths.putObject("apis/" + g + "/v1").put("serverRelativeURL", "/openapi/v3/apis/" + g + "/v1?hash=FAKE"));
        ObjectNode o = Json.object();
        o.set("paths", paths);
        return o;
    }

    /**
     * A minimal OpenAPI v3 document for one group version. kubectl reads it only to learn that the
     * server supports the {@code fieldValidation} query parameter (it looks for the parameter on the
     * PATCH operation tagged with the kind's x-kubernetes-group-version-kind); then it leaves strict
     * validation to the server instead of validating against schemas client-side. No request body
     * media types are declared, so client-side apply computes strategic merge patches from its
     * compiled-in types, as it does when a server publishes no schema.
     */
    static Optional<ObjectNode> openApiDocument(String gvPath) {
        String group;
        if (gvPath.equals("api/v1")) {
            group = "";
        } else if (gvPath.startsWith("apis/") && gvPath.endsWith("/v1")) {
            group = gvPath.substring(5, gvPath.length() - 3);
        } else {
            return Optional.empty();
        }
        if (!servesGroupVersion(group, "v1")) {
            return Optional.empty();
        }
        ObjectNode doc = Json.object().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : TYPES) {
            if (!t.group().equals(group) || !t.allows("patch")) {
                continue;
            }
            String path = "/" + gvPath + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.name() + "/{name}";
            ObjectNode patch = paths.putObject(path).putObject("patch").put("operationId", "patch" + t.kind());
            ArrayNode params = patch.putArray("parameters");
            for (String p : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
                params.addObject().put("name", p).put("in", "query").putObject("schema").put("type", p.equals("force") ? "boolean" : "string");
            }
            patch.putObject("responses").putObject("200").put("description", "OK");
            patch.put("x-kubernetes-action", "patch");
            patch.set("x-kubernetes-group-version-kind", kind(t.group(), t.kind()));
        }
        doc.putObject("components").putObject("schemas");
        return Optional.of(doc);
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }
}
