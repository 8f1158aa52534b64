package dev.kubegate.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.filter.FilteringGeneratorDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.EffectiveOptions;
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
 *                "isResourceRequest", "path", "query", "dryRun",
 *                "options": {"source", "dryRun", "fieldManager", "gracePeriodSeconds", "propagationPolicy",
 *                            "orphanDependents", "preconditions": {"uid", "resourceVersion"}}},
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
 * @param tokenSecrets the Secrets of type {@code kubernetes.io/service-account-token} that pod spec
 *                    mounts or reads env from, each with the service account whose token it holds
 *                    (read by kubegate itself): a pod that mounts one borrows that account;
 *                    serialised as {@code "podSpec": {"tokenSecrets": {"<secret>": "<account>"}}}
 * @param stats       the caller's session counters <em>before</em> this call
 * @param now         the time of the call
 */
public record PolicyInput(Principal principal, Request request, JsonNode object, JsonNode oldObject,
                          String podSpecPath, Stats stats, Instant now, java.util.Map<String, String> tokenSecrets) {

    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    public PolicyInput {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(now, "now");
        tokenSecrets = new java.util.TreeMap<>(tokenSecrets);
    }

    /** Without service-account token Secrets in the pod spec. */
    public PolicyInput(Principal principal, Request request, JsonNode object, JsonNode oldObject,
                       String podSpecPath, Stats stats, Instant now) {
        this(principal, request, object, oldObject, podSpecPath, stats, now, java.util.Map.of());
    }

    /**
     * The request part. Absent values are empty strings, as in {@link RequestInfo}.
     *
     * @param name    the object the call acts on: the URL's, except for a create, whose object the body
     *                names ({@code metadata.name}): {@code POST .../bindings} binds that pod, and a
     *                custom resource posted to {@code .../foos/bar} is stored under the body's name
     * @param query   the decoded query parameters, e.g. {@code {"command": ["sh"]}} for exec; what the
     *                API server applies is {@code options}, not this
     * @param dryRun  whether the API server surely persists nothing: {@code options.dryRun}
     * @param options the options the API server really applies, read where its handler reads them
     *                ({@link EffectiveOptions}): {@code source} is {@code none}, {@code query},
     *                {@code body} (a DELETE's DeleteOptions, an Eviction's deleteOptions) or
     *                {@code unknown} (a body kubegate does not decode; then {@code dryRun} is false);
     *                the other keys are present only when set
     */
    public record Request(String verb, String apiGroup, String apiVersion, String resource, String subresource,
                          String namespace, String name, boolean isResourceRequest, String path,
                          Map<String, List<String>> query, boolean dryRun, EffectiveOptions options) {

        /** A request whose options are the query's dry-run flag alone. */
        public Request(String verb, String apiGroup, String apiVersion, String resource, String subresource,
                       String namespace, String name, boolean isResourceRequest, String path,
                       Map<String, List<String>> query, boolean dryRun) {
            this(verb, apiGroup, apiVersion, resource, subresource, namespace, name, isResourceRequest, path, query, dryRun,
                    dryRun ? new EffectiveOptions(EffectiveOptions.Source.QUERY, true, null, null, null, null, null, null)
                            : EffectiveOptions.NONE);
        }

        public Request {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(apiGroup, "apiGroup");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(subresource, "subresource");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(options, "options");
            query = Map.copyOf(query);
            if (dryRun != options.dryRun()) {
                throw new IllegalArgumentException("dryRun must be options.dryRun");
            }
        }

        /** The request part of a classified call whose body kubegate did not read. */
        public static Request of(RequestInfo info, QueryParams query) {
            return of(info, query, EffectiveOptions.derive(info, query, EffectiveOptions.Body.NONE), null);
        }

        /**
         * The request part of a classified call, with the options the API server applies and the
         * object policy judges (for the name a {@code bindings} create acts on).
         */
        public static Request of(RequestInfo info, QueryParams query, EffectiveOptions options, JsonNode object) {
            return new Request(info.verb(), info.apiGroup(), info.apiVersion(), info.resource(), info.subresource(),
                    info.namespace(), judgedName(info, object), info.isResourceRequest(), info.path(), query.asMap(),
                    options.dryRun(), options);
        }

        /**
         * The name the API server acts on. A create's object is named by its body, never by the URL:
         * {@code POST /api/v1/namespaces/{ns}/bindings} binds the pod the body names, and a custom
         * resource created with {@code POST .../foos/bar} is stored under the body's name (built-in
         * kinds refuse that path). Every other call acts on the URL's name.
         */
        static String judgedName(RequestInfo info, JsonNode object) {
            boolean createNamedByBody = info.isResourceRequest() && "create".equals(info.verb()) && info.subresource().isEmpty()
                    && (!info.name().isEmpty() || info.apiGroup().isEmpty() && "bindings".equals(info.resource()));
            if (createNamedByBody && object != null) {
                JsonNode name = object.path("metadata").path("name");
                return name.isTextual() ? name.asText() : "";
            }
            return info.name();
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
            write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory: only a bug gets here
        }
        return out.toByteArray();
    }

    /**
     * The parts of {@link #toJson()} that {@code filter} keeps, written by the same code: what a
     * policy that reads only those parts decides on ({@link DecisionCache}).
     */
    byte[] toJson(TokenFilter filter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = new FilteringGeneratorDelegate(JSON.createGenerator(out), filter,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
            write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void write(JsonGenerator g) throws IOException {
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
            if (!tokenSecrets.isEmpty()) {
                g.writeObjectFieldStart("tokenSecrets");
                for (var e : tokenSecrets.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
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
        writeOptions(g, r.options());
        g.writeEndObject();
    }

    /** {@code request.options}: only the keys that are set, besides {@code source} and {@code dryRun}. */
    private static void writeOptions(JsonGenerator g, EffectiveOptions o) throws IOException {
        g.writeObjectFieldStart("options");
        g.writeStringField("source", o.source().label());
        g.writeBooleanField("dryRun", o.dryRun());
        if (o.fieldManager() != null) g.writeStringField("fieldManager", o.fieldManager());
        if (o.gracePeriodSeconds() != null) g.writeNumberField("gracePeriodSeconds", o.gracePeriodSeconds());
        if (o.propagationPolicy() != null) g.writeStringField("propagationPolicy", o.propagationPolicy());
        if (o.orphanDependents() != null) g.writeBooleanField("orphanDependents", o.orphanDependents());
        if (o.preconditionUid() != null || o.preconditionResourceVersion() != null) {
            g.writeObjectFieldStart("preconditions");
            if (o.preconditionUid() != null) g.writeStringField("uid", o.preconditionUid());
            if (o.preconditionResourceVersion() != null) g.writeStringField("resourceVersion", o.preconditionResourceVersion());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
