package dev.kubegate.testing;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Authorization: everything is allowed unless the deny rule of the options matches. The same rule
 * answers SelfSubjectAccessReviews ({@code kubectl auth can-i}) and SubjectAccessReviews, and
 * forbids matching real requests with the apiserver's 403 wording. SelfSubjectReview
 * ({@code kubectl auth whoami}) reports the effective, possibly impersonated, user.
 */
final class Authz {
    private final FakeKubeApiServer server;

    Authz(FakeKubeApiServer server) {
        this.server = server;
    }

    boolean allowed(AccessRequest a) {
        return server.options.deny() == null || !server.options.deny().test(a);
    }

    void check(ApiRequest r) {
        AccessRequest a = r.access();
        if (allowed(a)) {
            return;
        }
        String subject = r.name == null ? r.type.qualified() : r.type.qualified() + " \"" + r.name + "\"";
        String scope = a.namespace() == null ? "at the cluster scope" : "in the namespace \"" + a.namespace() + "\"";
        throw ApiError.forbidden(r.type, r.name, subject + " is forbidden: User \"" + a.user() + "\" cannot " + a.verb()
                + " resource \"" + a.resourceWithSubresource() + "\" in API group \"" + a.apiGroup() + "\" " + scope);
    }

    /** POST of a SelfSubjectAccessReview, SubjectAccessReview, SelfSubjectReview or TokenReview. */
    void review(ApiRequest r) {
        ObjectNode review = Json.parseObject(r.body, r.contentType());
        review.put("apiVersion", r.type.apiVersion()).put("kind", r.type.kind());
        Json.meta(review).putNull("creationTimestamp");
        switch (r.type.kind()) {
            case "SelfSubjectReview" -> {
                ObjectNode info = review.putObject("status").putObject("userInfo").put("username", r.user.name());
                r.user.groups().forEach(info.withArray("groups")::add);
                if (!r.user.extra().isEmpty()) {
                    ObjectNode extra = info.putObject("extra");
                    r.user.extra().forEach((k, v) -> v.forEach(extra.withArray(k)::add));
                }
            }
            case "SelfSubjectAccessReview" -> decide(review, r.user.name(), r.user.groups());
            case "SubjectAccessReview" -> {
                JsonNode spec = review.path("spec");
                List<String> groups = new ArrayList<>();
                spec.path("groups").forEach(g -> groups.add(g.asText()));
                decide(review, spec.path("user").asText(), groups);
            }
            case "TokenReview" -> server.tokenReview(review);
            default -> throw ApiError.notFound();
        }
        r.send(201, review);
    }

    private void decide(ObjectNode review, String user, List<String> groups) {
        JsonNode ra = review.path("spec").path("resourceAttributes");
        JsonNode nra = review.path("spec").path("nonResourceAttributes");
        AccessRequest a = ra.isObject()
                ? new AccessRequest(user, groups, ra.path("verb").asText(), ra.path("group").asText(),
                        ra.path("resource").asText(), emptyToNull(ra.path("subresource").asText()),
                        emptyToNull(ra.path("namespace").asText()), emptyToNull(ra.path("name").asText()), null)
                : new AccessRequest(user, groups, nra.path("verb").asText(), null, null, null, null, null,
                        nra.path("path").asText());
        ObjectNode status = review.putObject("status").put("allowed", allowed(a));
        if (!allowed(a)) {
            status.put("reason", "denied by the fake apiserver's deny rule");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
