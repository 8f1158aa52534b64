package dev.kubegate.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy input document (docs/policy-input.md, contract), serialised by {@link #toJson()} exactly as
 * the Rego policies read it:
 * <pre>
 * {"principal": {"id", "name", "kind", "groups", "session": {"id", "labels", "expiresAt"}},
 *  "request":   {"verb", "apiGroup", "apiVersion", "resource", "subresource", "namespace", "name",
 *                "isResourceRequest", "path", "query", "dryRun"},
 *  "object": {...}, "oldObject": {...}, "podSpec": {"path": "spec.template.spec"},
 *  "stats": {"requests", "mutations", "deletes", "denied"}, "now": "2026-11-26T08:00:00Z"}
 * </pre>
 * {@code object}, {@code oldObject}, {@code podSpec} and {@code principal.session} are left out
 * when absent. Every other field is always present, so policies never meet an undefined field.
 *
 * @param principal   the authenticated caller
 * @param request     what the call is
 * @param object      the object the call would create or produce (for patches: the patched
 *                    object); strip {@code metadata.managedFields} first, policies never need it
 *                    and it dominates the evaluation cost of large objects
 * @param oldObject   the object as it is now, for update, patch and delete, when available
 * @param podSpecPath where the pod spec is inside {@code object}, dotted, when the call writes
 *                    one: see {@link #podSpecPath(String, String, String)}; serialised as
 *                    {@code "podSpec": {"path": ...}}
 * @param stats       the caller's session counters <em>before</em> this call
 * @param now         the time of the call
 */
public record PolicyInput(Principal principal, Request request, JsonNode object, JsonNode oldObject,
                          String podSpecPath, Stats stats, Instant now) {

    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    public PolicyInput {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(now, "now");
    }

    /**
     * The request part. Absent values are empty strings, as in {@link RequestInfo}.
     *
     * @param query  the decoded query parameters, e.g. {@code {"command": ["sh"]}} for exec
     * @param dryRun whether the API server will not persist anything ({@code dryRun=All})
     */
    public record Request(String verb, String apiGroup, String apiVersion, String resource, String subresource,
                          String namespace, String name, boolean isResourceRequest, String path,
                          Map<String, List<String>> query, boolean dryRun) {

        public Request {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(apiGroup, "apiGroup");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(subresource, "subresource");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
            query = Map.copyOf(query);
        }

        /** The request part of a classified call and its query string. */
        public static Request of(RequestInfo info, QueryParams query) {
            return new Request(info.verb(), info.apiGroup(), info.apiVersion(), info.resource(), info.subresource(),
                    info.namespace(), info.name(), info.isResourceRequest(), info.path(), query.asMap(),
                    query.all("dryRun").contains("All"));
        }
    }

    /** Session counters before this call; policies use them for budgets (budgets.rego). */
    public record Stats(long requests, long mutations, long deletes, long denied) {
        public static final Stats NONE = new Stats(0, 0, 0, 0);
    }

    /**
     * Where the pod spec is in the body of a write to {@code group/resource[/subresource]}, or
     * empty when that resource has none. This table is the normalisation policies rely on
     * (workloads.rego): one path per kind, so one rule covers every workload.
     * <ul>
     *   <li>{@code pods}, {@code pods/ephemeralcontainers}: {@code spec}</li>
     *   <li>{@code apps} deployments, statefulsets, daemonsets, replicasets; core
     *       replicationcontrollers; {@code batch} jobs: {@code spec.template.spec}</li>
     *   <li>core podtemplates: {@code template.spec}</li>
     *   <li>{@code batch} cronjobs: {@code spec.jobTemplate.spec.template.spec}</li>
     * </ul>
     * Other subresources (status, scale, exec, ...) carry no pod spec.
     */
    public static Optional<String> podSpecPath(String apiGroup, String resource, String subresource) {
        String path = switch (apiGroup + "/" + resource) {
            case "/pods" -> subresource.isEmpty() || subresource.equals("ephemeralcontainers") ? "spec" : null;
            case "apps/deployments", "apps/statefulsets", "apps/daemonsets", "apps/replicasets",
                 "/replicationcontrollers", "batch/jobs" -> subresource.isEmpty() ? "spec.template.spec" : null;
            case "/podtemplates" -> subresource.isEmpty() ? "template.spec" : null;
            case "batch/cronjobs" -> subresource.isEmpty() ? "spec.jobTemplate.spec.template.spec" : null;
            default -> null;
        };
        return Optional.ofNullable(path);
    }

    /** The input document as UTF-8 JSON, the form the WASM policy parses. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(object == null ? 512 : 4096);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            writePrincipal(g);
            writeRequest(g);
            if (object != null) {
                g.writeFieldName("object");
                g.writeTree(object);
            }
            if (oldObject != null) {
                g.writeFieldName("oldObject");
                g.writeTree(oldObject);
            }
            if (podSpecPath != null) {
                g.writeObjectFieldStart("podSpec");
                g.writeStringField("path", podSpecPath);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("stats");
            g.writeNumberField("requests", stats.requests());
            g.writeNumberField("mutations", stats.mutations());
            g.writeNumberField("deletes", stats.deletes());
            g.writeNumberField("denied", stats.denied());
            g.writeEndObject();
            g.writeStringField("now", now.toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: only a bug gets here
        }
        return out.toByteArray();
    }

    private void writePrincipal(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("principal");
        g.writeStringField("id", nullToEmpty(principal.id()));
        g.writeStringField("name", nullToEmpty(principal.name()));
        g.writeStringField("kind", nullToEmpty(principal.kind()));
        g.writeArrayFieldStart("groups");
        for (String group : principal.groups()) {
            g.writeString(group);
        }
        g.writeEndArray();
        if (principal.session() != null && principal.session().isPresent()) {
            Principal.Session s = principal.session().get();
            g.writeObjectFieldStart("session");
            g.writeStringField("id", nullToEmpty(s.id()));
            g.writeObjectFieldStart("labels");
            if (s.labels() != null) {
                for (Map.Entry<String, String> e : s.labels().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
            }
            g.writeEndObject();
            if (s.expiresAt() != null) {
                g.writeStringField("expiresAt", s.expiresAt().toString());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private void writeRequest(JsonGenerator g) throws IOException {
        Request r = request;
        g.writeObjectFieldStart("request");
        g.writeStringField("verb", r.verb());
        g.writeStringField("apiGroup", r.apiGroup());
        g.writeStringField("apiVersion", r.apiVersion());
        g.writeStringField("resource", r.resource());
        g.writeStringField("subresource", r.subresource());
        g.writeStringField("namespace", r.namespace());
        g.writeStringField("name", r.name());
        g.writeBooleanField("isResourceRequest", r.isResourceRequest());
        g.writeStringField("path", r.path());
        g.writeObjectFieldStart("query");
        for (Map.Entry<String, List<String>> e : r.query().entrySet()) {
            g.writeArrayFieldStart(e.getKey());
            for (String v : e.getValue()) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeBooleanField("dryRun", r.dryRun());
        g.writeEndObject();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
