package dev.kubegate.k8s;

import java.util.List;
import java.util.Objects;

/**
 * What a Kubernetes API request is, as the API server's {@code RequestInfo} says it. Built by
 * {@link RequestInfoParser}; immutable. Absent values are empty strings, as in Go.
 *
 * @param isResourceRequest whether the request is for an API resource or subresource
 * @param path the percent-decoded URL path (no query)
 * @param verb the Kubernetes verb (get, list, watch, create, update, patch, delete,
 *     deletecollection, proxy) for resource requests; the lower-cased HTTP method otherwise
 * @param apiPrefix "api" or "apis"
 * @param apiGroup empty for the core group
 * @param apiVersion e.g. "v1"
 * @param namespace empty for cluster-scoped requests and for all-namespaces collections
 * @param resource e.g. "pods"; never the kind
 * @param subresource e.g. "status", "exec"
 * @param name the object name, from the path or from a {@code metadata.name} field selector
 * @param parts the path segments from the resource on: resource, name, subresource, anything after
 * @param fieldSelector raw {@code fieldSelector} for list, watch and deletecollection, else empty
 * @param labelSelector raw {@code labelSelector} for list, watch and deletecollection, else empty
 */
public record RequestInfo(
        boolean isResourceRequest,
        String path,
        String verb,
        String apiPrefix,
        String apiGroup,
        String apiVersion,
        String namespace,
        String resource,
        String subresource,
        String name,
        List<String> parts,
        String fieldSelector,
        String labelSelector) {

    public RequestInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(apiPrefix, "apiPrefix");
        Objects.requireNonNull(apiGroup, "apiGroup");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(subresource, "subresource");
        Objects.requireNonNull(name, "name");
        parts = List.copyOf(parts);
        Objects.requireNonNull(fieldSelector, "fieldSelector");
        Objects.requireNonNull(labelSelector, "labelSelector");
    }

    /**
     * A short human description for logs, e.g. {@code create pods/exec "web-1" in namespace "prod"},
     * {@code list deployments.apps in namespace "prod"}, {@code get /version}.
     */
    public String describe() {
        String shownVerb = verb.isEmpty() ? "(no verb)" : verb;
        if (!isResourceRequest) {
            return shownVerb + " " + path;
        }
        StringBuilder s = new StringBuilder(shownVerb).append(' ').append(resource);
        if (!apiGroup.isEmpty()) {
            s.append('.').append(apiGroup);
        }
        if (!subresource.isEmpty()) {
            s.append('/').append(subresource);
        }
        if (!name.isEmpty()) {
            s.append(' ').append(quote(name));
        }
        // A namespace's own namespace is itself: saying so again adds nothing.
        boolean namespaceObject = resource.equals("namespaces") && apiGroup.isEmpty();
        if (!namespace.isEmpty() && !namespaceObject) {
            s.append(" in namespace ").append(quote(namespace));
        }
        return s.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * Whether the call deletes objects: {@code delete}, {@code deletecollection}, or an Eviction
     * ({@code create} on {@code pods/eviction}), which deletes the pod it names.
     */
    public boolean deletesObjects() {
        return "delete".equals(verb) || "deletecollection".equals(verb) || isEviction();
    }

    /** An Eviction: {@code create} on the core {@code pods/eviction} subresource. */
    public boolean isEviction() {
        return isResourceRequest && "create".equals(verb) && apiGroup.isEmpty()
                && "pods".equals(resource) && "eviction".equals(subresource);
    }
}
