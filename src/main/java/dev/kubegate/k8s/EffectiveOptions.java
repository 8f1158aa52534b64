package dev.kubegate.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options the API server will really apply to a write, read from where its handler reads them:
 * <ul>
 *   <li>create, update, patch: the query ({@code dryRun}, {@code fieldManager});</li>
 *   <li>delete, deletecollection: the DeleteOptions body when it has at least one byte, otherwise the
 *       query; never both ({@code DeleteResource}, {@code DeleteCollection});</li>
 *   <li>{@code pods/eviction}: the Eviction body's {@code deleteOptions}, its {@code dryRun} copied
 *       from the query when the body has none ({@code propagateDryRun});</li>
 *   <li>handlers that ignore {@code dryRun} ({@code serviceaccounts/token} mints a real token;
 *       token and access reviews are evaluated anyway): never a dry run;</li>
 *   <li>connect subresources (exec, attach, portforward, proxy) and reads: no options;</li>
 *   <li>subresources not known to honour {@code dryRun} (e.g. {@code pods/resize}): never a dry run.</li>
 * </ul>
 * {@link #dryRun()} is true only when kubegate knows the API server will not persist anything:
 * {@code dryRun} present and every value exactly {@code All} (any other value is a 422). A body
 * kubegate does not decode ({@link Body#OPAQUE}) gives {@code dryRun=false}: policy then judges a
 * real write, the safe side. Pure and immutable.
 *
 * @param source             where the API server takes the options from
 * @param dryRun             whether the API server surely persists nothing
 * @param fieldManager       the {@code fieldManager} query value (first), or null
 * @param gracePeriodSeconds delete: the grace period asked for, or null
 * @param propagationPolicy  delete: {@code Foreground}, {@code Background}, {@code Orphan} (as sent), or null
 * @param orphanDependents   delete: the deprecated orphan flag, or null
 * @param preconditionUid    delete: {@code preconditions.uid}, or null
 * @param preconditionResourceVersion delete: {@code preconditions.resourceVersion}, or null
 */
public record EffectiveOptions(Source source, boolean dryRun, String fieldManager, Long gracePeriodSeconds,
                               String propagationPolicy, Boolean orphanDependents, String preconditionUid,
                               String preconditionResourceVersion) {

    /** Where the options come from. */
    public enum Source {
        /** The call has no write options (reads, connect, non-resource paths). */
        NONE,
        /** The query string. */
        QUERY,
        /** The request body (a DELETE's DeleteOptions, an Eviction's deleteOptions). */
        BODY,
        /** A body kubegate does not decode (YAML or protobuf DeleteOptions): unknown, judged as a real write. */
        UNKNOWN;

        /** The name used in the policy input and the audit record. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The request body as far as the options are concerned.
     *
     * @param json the decoded JSON object, or null
     */
    public record Body(boolean present, JsonNode json) {
        /** No body (zero bytes). */
        public static final Body NONE = new Body(false, null);
        /** A body kubegate does not decode. */
        public static final Body OPAQUE = new Body(true, null);

        public static Body json(JsonNode object) {
            return new Body(true, object);
        }
    }

    public static final EffectiveOptions NONE = new EffectiveOptions(Source.NONE, false, null, null, null, null, null, null);

    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch");
    private static final Set<String> DELETE_VERBS = Set.of("delete", "deletecollection");
    /** Connect subresources: their handler refuses {@code dryRun} (400) and takes no write options. */
    private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy");
    /** group/resource[/subresource] whose create handler validates dryRun and then ignores it. */
    private static final Set<String> IGNORES_DRY_RUN = Set.of(
            "/serviceaccounts/token",
            "authentication.k8s.io/tokenreviews",
            "authorization.k8s.io/subjectaccessreviews",
            "authorization.k8s.io/localsubjectaccessreviews",
            "authorization.k8s.io/selfsubjectaccessreviews",
            "authorization.k8s.io/selfsubjectrulesreviews");
    /**
     * Subresources whose handlers are known to pass the query's dryRun to storage. Any other (say
     * {@code pods/resize}, or one added in a later release) is judged as a real write: kubegate says
     * "dry run" only where it knows.
     */
    private static final Set<String> HONOURS_DRY_RUN = Set.of("", "status", "scale", "ephemeralcontainers", "approval",
            "binding", "finalize");
    private static final Pattern GO_INT = Pattern.compile("[+-]?[0-9]+");

    /**
     * The options the API server applies to {@code info} with this query and body.
     *
     * @throws InvalidRequestException where the API server refuses the query options with 400
     *     (a {@code gracePeriodSeconds} that is not a base-10 integer)
     */
    public static EffectiveOptions derive(RequestInfo info, QueryParams query, Body body) {
        if (!info.isResourceRequest() || CONNECT_SUBRESOURCES.contains(info.subresource())) {
            return NONE;
        }
        String verb = info.verb();
        if (DELETE_VERBS.contains(verb)) {
            if (!body.present()) {
                return fromDeleteQuery(query);
            }
            return body.json() == null ? unknown() : fromDeleteOptions(Source.BODY, body.json(), null);
        }
        if (!WRITE_VERBS.contains(verb)) {
            return NONE;
        }
        String fieldManager = query.first("fieldManager").orElse(null);
        String key = info.apiGroup() + "/" + info.resource() + (info.subresource().isEmpty() ? "" : "/" + info.subresource());
        if (IGNORES_DRY_RUN.contains(key)) {
            return new EffectiveOptions(Source.QUERY, false, fieldManager, null, null, null, null, null);
        }
        if ("create".equals(verb) && "/pods/eviction".equals(key)) {
            return forEviction(query, body, fieldManager);
        }
        boolean dryRun = HONOURS_DRY_RUN.contains(info.subresource()) && allAll(query.all("dryRun"));
        return new EffectiveOptions(Source.QUERY, dryRun, fieldManager, null, null, null, null, null);
    }

    /**
     * An Eviction: its {@code deleteOptions} decide; a query dry run is copied in when the body has
     * none, and a differing one makes the API server fail the call, so a valid query dry run always
     * means nothing is evicted. A body dry run counts only when every value is {@code All}.
     */
    private static EffectiveOptions forEviction(QueryParams query, Body body, String fieldManager) {
        boolean queryDryRun = allAll(query.all("dryRun"));
        JsonNode options = body.json() == null ? null : body.json().get("deleteOptions");
        if (options == null || !options.isObject()) {
            return new EffectiveOptions(body.json() == null && body.present() ? Source.UNKNOWN : Source.QUERY, queryDryRun,
                    fieldManager, null, null, null, null, null);
        }
        return fromDeleteOptions(Source.BODY, options, fieldManager).withDryRun(queryDryRun);
    }

    private EffectiveOptions withDryRun(boolean orDryRun) {
        return new EffectiveOptions(source, dryRun || orDryRun, fieldManager, gracePeriodSeconds, propagationPolicy,
                orphanDependents, preconditionUid, preconditionResourceVersion);
    }

    private static EffectiveOptions unknown() {
        return new EffectiveOptions(Source.UNKNOWN, false, null, null, null, null, null, null);
    }

    /** DeleteOptions decoded from JSON; a field of the wrong type (a 400 at the API server) reads as absent. */
    private static EffectiveOptions fromDeleteOptions(Source source, JsonNode o, String fieldManager) {
        List<String> dryRun = new ArrayList<>();
        JsonNode d = o.get("dryRun");
        boolean dryRunReadable = d != null && d.isArray();
        if (dryRunReadable) {
            for (JsonNode v : d) {
                if (!v.isTextual()) {
                    dryRunReadable = false;
                    break;
                }
                dryRun.add(v.asText());
            }
        }
        JsonNode grace = o.get("gracePeriodSeconds");
        JsonNode policy = o.get("propagationPolicy");
        JsonNode orphan = o.get("orphanDependents");
        JsonNode pre = o.get("preconditions");
        return new EffectiveOptions(source, dryRunReadable && allAll(dryRun), fieldManager,
                grace != null && grace.isIntegralNumber() && grace.canConvertToLong() ? grace.asLong() : null,
                policy != null && policy.isTextual() ? policy.asText() : null,
                orphan != null && orphan.isBoolean() ? orphan.asBoolean() : null,
                text(pre, "uid"), text(pre, "resourceVersion"));
    }

    private static String text(JsonNode parent, String field) {
        if (parent == null || !parent.isObject()) {
            return null;
        }
        JsonNode v = parent.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** {@code Convert_url_Values_To_v1_DeleteOptions}: scalars take the first value, {@code dryRun} keeps all. */
    private static EffectiveOptions fromDeleteQuery(QueryParams query) {
        Long grace = null;
        if (query.has("gracePeriodSeconds")) {
            String g = query.first("gracePeriodSeconds").orElseThrow();
            if (!GO_INT.matcher(g).matches()) {
                throw new InvalidRequestException("gracePeriodSeconds must be an integer, not \"" + g + "\"");
            }
            try {
                grace = Long.parseLong(g);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("gracePeriodSeconds is out of range: \"" + g + "\"");
            }
        }
        return new EffectiveOptions(Source.QUERY, allAll(query.all("dryRun")), null, grace,
                query.first("propagationPolicy").orElse(null),
                query.has("orphanDependents") ? goBool(query.first("orphanDependents").orElseThrow()) : null,
                query.first("uid").filter(s -> !s.isEmpty()).orElse(null),
                query.first("resourceVersion").filter(s -> !s.isEmpty()).orElse(null));
    }

    /**
     * The DeleteOptions body that makes the API server do exactly what this query asks, for a DELETE
     * that had none (a body silences the query, so every query option moves into it).
     *
     * @throws InvalidRequestException as {@link #derive}
     */
    public static ObjectNode deleteOptionsBody(QueryParams query) {
        EffectiveOptions o = fromDeleteQuery(query);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("kind", "DeleteOptions").put("apiVersion", "v1");
        if (o.gracePeriodSeconds() != null) body.put("gracePeriodSeconds", o.gracePeriodSeconds());
        if (o.preconditionUid() != null || o.preconditionResourceVersion() != null) {
            ObjectNode pre = body.putObject("preconditions");
            if (o.preconditionUid() != null) pre.put("uid", o.preconditionUid());
            if (o.preconditionResourceVersion() != null) pre.put("resourceVersion", o.preconditionResourceVersion());
        }
        if (o.orphanDependents() != null) body.put("orphanDependents", o.orphanDependents());
        if (o.propagationPolicy() != null) body.put("propagationPolicy", o.propagationPolicy());
        if (query.has("dryRun")) {
            ArrayNode d = body.putArray("dryRun");
            query.all("dryRun").forEach(d::add);
        }
        if (query.has("ignoreStoreReadErrorWithClusterBreakingPotential")) {
            body.put("ignoreStoreReadErrorWithClusterBreakingPotential",
                    goBool(query.first("ignoreStoreReadErrorWithClusterBreakingPotential").orElseThrow()));
        }
        return body;
    }

    /** {@code ValidateDryRun} + {@code IsDryRun}: present, and every value exactly {@code All}. */
    static boolean allAll(List<String> values) {
        return !values.isEmpty() && values.stream().allMatch("All"::equals);
    }

    /** {@code Convert_Slice_string_To_bool}: false only for {@code 0} and {@code false} in any case. */
    static boolean goBool(String v) {
        return !(v.equals("0") || v.equalsIgnoreCase("false"));
    }
}
