package dev.kubegate.testing;

import java.util.List;

/**
 * What an authorization decision is asked about: a real request reaching the double, or the
 * attributes of a (Self)SubjectAccessReview. A deny rule in {@link FakeKubeApiServer.Options} sees these.
 *
 * @param user the effective user: the impersonated one when {@code Impersonate-User} was sent
 * @param resource null for non-resource requests, which carry {@code path} instead
 */
public record AccessRequest(String user, List<String> groups, String verb, String apiGroup, String resource,
        String subresource, String namespace, String name, String path) {

    /** "pods" or "pods/exec". */
    public String resourceWithSubresource() {
        return subresource == null || subresource.isEmpty() ? resource : resource + "/" + subresource;
    }
}
