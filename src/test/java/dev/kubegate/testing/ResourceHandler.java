package dev.kubegate.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Generic CRUD, list, watch and patch for every resource in {@link ApiCatalog}, over {@link ObjectStore}.
 * Runs on the event loop only.
 */
final class ResourceHandler {
    private static final Set<String> TABLE = Set.of("Table");
    private static final Set<String> PARTIAL = Set.of("PartialObjectMetadata", "PartialObjectMetadataList");

    private final FakeKubeApiServer server;
    private final ObjectStore store;

    ResourceHandler(FakeKubeApiServer server) {
        this.server = server;
        this.store = server.store;
        for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            ObjectNode o = Json.object();
            Json.meta(o).put("name", ns);
            store.put(ApiCatalog.NAMESPACES, prepareCreate(ApiCatalog.NAMESPACES, null, o));
        }
        // the node every pod runs on
        ObjectNode node = Json.parseObject("""
                {"metadata":{"name":"fake-node","labels":{"kubernetes.io/hostname":"fake-node","kubernetes.io/os":"linux"}},
                 "status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],
                           "nodeInfo":{"kubeletVersion":"%s","operatingSystem":"linux","architecture":"amd64"},
                           "addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}}""".formatted(ApiCatalog.VERSION));
        store.put(ApiCatalog.NODES, prepareCreate(ApiCatalog.NODES, null, node));
    }

    void handle(ApiRequest r) {
        if ("scale".equals(r.subresource)) {
            scale(r);
            return;
        }
        switch (r.verb) {
            case "get" -> r.send(200, present(r, require(r.type, r.namespace, r.name)));
            case "list" -> list(r);
            case "watch" -> watch(r);
            case "create" -> create(r);
            case "update" -> update(r);
            case "patch" -> patch(r);
            case "delete" -> delete(r);
            case "deletecollection" -> deleteCollection(r);
            default -> throw ApiError.methodNotAllowed();
        }
    }

    /** Seeding from tests: create or strategic-merge an object, status included. */
    JsonNode put(ObjectNode obj) {
        String apiVersion = Json.text(obj, "apiVersion");
        String kind = Json.text(obj, "kind");
        ResourceType t = ApiCatalog.byKind(apiVersion, kind)
                .orElseThrow(() -> new IllegalArgumentException("not served: " + apiVersion + " " + kind));
        String ns = t.namespaced() ? (Json.text(obj, "metadata.namespace") == null ? "default" : Json.text(obj, "metadata.namespace")) : null;
        ObjectNode existing = store.get(t, ns, Json.text(obj, "metadata.name"));
        if (existing == null) {
            return store.put(t, prepareCreate(t, ns, obj));
        }
        ObjectNode merged = (ObjectNode) Patches.strategic(existing, obj);
        ObjectNode updated = prepareUpdate(t, null, existing, merged);
        if (obj.has("status")) {
            updated.set("status", merged.get("status"));
        }
        return store.put(t, updated);
    }

    // ---- reads -------------------------------------------------------------------------------

    private ObjectNode require(ResourceType t, String ns, String name) {
        ObjectNode o = store.get(t, ns, name);
        if (o == null) {
            throw ApiError.notFound(t, name);
        }
        return o;
    }

    /** The object as the client asked for it: itself, a one-row Table or its PartialObjectMetadata. */
    private JsonNode present(ApiRequest r, ObjectNode o) {
        String tableVersion = r.acceptParam(TABLE, "v");
        if (tableVersion != null) {
            ObjectNode meta = Json.object().put("resourceVersion", Json.text(o, "metadata.resourceVersion"));
            return Tables.table(r.type, List.of(o), meta, tableVersion, r.param("includeObject"), true);
        }
        return r.acceptParam(PARTIAL, "as") != null ? Tables.partial(o) : o;
    }

    private Predicate<ObjectNode> filter(ApiRequest r) {
        Predicate<ObjectNode> p = Selectors.labels(r.param("labelSelector")).and(Selectors.fields(r.param("fieldSelector")));
        if (r.name != null) { // a watch on a single object
            p = p.and(o -> r.name.equals(Json.text(o, "metadata.name")));
        }
        return p;
    }

    private List<ObjectNode> selected(ApiRequest r) {
        Predicate<ObjectNode> p = filter(r);
        return store.list(r.type, r.type.namespaced() ? r.namespace : null).stream().filter(p).toList();
    }

    private void list(ApiRequest r) {
        List<ObjectNode> items = selected(r);
        ObjectNode meta = Json.object().put("resourceVersion", Long.toString(store.resourceVersion()));
        String token = r.param("continue");
        if (token != null && !token.isEmpty()) {
            String after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            items = items.stream().filter(o -> key(o).compareTo(after) > 0).toList();
        }
        int limit = r.intParam("limit", 0);
        if (limit > 0 && items.size() > limit) {
            meta.put("continue", Base64.getUrlEncoder().encodeToString(key(items.get(limit - 1)).getBytes(StandardCharsets.UTF_8)));
            meta.put("remainingItemCount", items.size() - limit);
            items = items.subList(0, limit);
        }
        String tableVersion = r.acceptParam(TABLE, "v");
        if (tableVersion != null) {
            r.send(200, Tables.table(r.type, items, meta, tableVersion, r.param("includeObject"), true));
            return;
        }
        boolean partial = r.acceptParam(PARTIAL, "as") != null;
        ObjectNode list = partial
                ? Json.object().put("kind", "PartialObjectMetadataList").put("apiVersion", "meta.k8s.io/v1")
                : Json.object().put("kind", r.type.listKind()).put("apiVersion", r.type.apiVersion());
        list.set("metadata", meta);
        ArrayNode array = list.putArray("items");
        items.forEach(o -> array.add(partial ? Tables.partial(o) : withoutTypeMeta(o)));
        r.send(200, list);
    }

    /** Typed lists carry kind/apiVersion once, on the list, like the apiserver's. */
    private static ObjectNode withoutTypeMeta(ObjectNode o) {
        o.remove(List.of("kind", "apiVersion"));
        return o;
    }

    private static String key(ObjectNode o) {
        return ObjectStore.key(Json.text(o, "metadata.namespace"), Json.text(o, "metadata.name"));
    }

    // ---- scale subresource ------------------------------------------------------------------

    /** {@code <workload>/scale}: an autoscaling/v1 Scale view of spec.replicas (kubectl scale). */
    private void scale(ApiRequest r) {
        ObjectNode existing = require(r.type, r.namespace, r.name);
        ObjectNode scale = scaleOf(existing);
        if (r.verb.equals("get")) {
            r.send(200, scale);
            return;
        }
        JsonNode changed = r.verb.equals("update") ? Json.parseObject(r.body, r.contentType()) : switch (r.contentType()) {
            case "application/json-patch+json" -> Patches.jsonPatch(scale, Json.parse(r.body, "application/json"));
            case "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml" ->
                Patches.merge(scale, Json.parse(r.body, "yaml"));
            default -> throw ApiError.unsupportedMediaType(r.contentType());
        };
        String rv = Json.text(changed, "metadata.resourceVersion");
        if (rv != null && !rv.isEmpty() && !rv.equals(Json.text(existing, "metadata.resourceVersion"))) {
            throw ApiError.conflict(r.type, r.name, "the object has been modified; please apply your changes to the latest version and try again");
        }
        ObjectNode updated = existing.deepCopy();
        updated.withObjectProperty("spec").put("replicas", changed.path("spec").path("replicas").asInt());
        updated = prepareUpdate(r.type, null, existing, updated);
        r.send(200, scaleOf(r.dryRun() ? updated : save(r.type, updated)));
    }

    private static ObjectNode scaleOf(ObjectNode o) {
        ObjectNode scale = Json.object().put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            meta.set(f, o.path("metadata").get(f));
        }
        scale.putObject("spec").put("replicas", o.path("spec").path("replicas").asInt());
        List<String> selector = new ArrayList<>();
        o.path("spec").path("selector").path("matchLabels").properties().forEach(e -> selector.add(e.getKey() + "=" + e.getValue().asText()));
        scale.putObject("status").put("replicas", o.path("status").path("replicas").asInt()).put("selector", String.join(",", selector));
        return scale;
    }

    // ---- watch -------------------------------------------------------------------------------

    private void watch(ApiRequest r) {
        new WatchStream(server, r, filter(r)).start();
    }

    // ---- writes ------------------------------------------------------------------------------

    private void create(ApiRequest r) {
        if (r.name != null) {
            throw ApiError.methodNotAllowed();
        }
        ObjectNode obj = prepareCreate(r.type, r.namespace, Json.parseObject(r.body, r.contentType()));
        r.send(201, present(r, r.dryRun() ? obj : store.put(r.type, obj)));
    }

    private void update(ApiRequest r) {
        ObjectNode existing = require(r.type, r.namespace, r.name);
        ObjectNode incoming = Json.parseObject(r.body, r.contentType());
        checkName(r, incoming);
        ObjectNode updated = prepareUpdate(r.type, r.subresource, existing, incoming);
        r.send(200, present(r, r.dryRun() ? updated : save(r.type, updated)));
    }

    private void patch(ApiRequest r) {
        String contentType = r.contentType();
        ObjectNode existing = store.get(r.type, r.namespace, r.name);
        JsonNode patched;
        if (contentType.equals("application/apply-patch+yaml")) {
            String manager = r.param("fieldManager");
            if (manager == null || manager.isEmpty()) {
                throw ApiError.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
            }
            ObjectNode applied = Json.parseObject(r.body, "yaml");
            checkName(r, applied);
            if (existing == null) {
                if (r.subresource != null) {
                    throw ApiError.notFound(r.type, r.name);
                }
                // server-side apply creates what does not exist yet
                Json.meta(applied).put("name", r.name);
                ObjectNode created = prepareCreate(r.type, r.namespace, applied);
                r.send(201, present(r, r.dryRun() ? created : store.put(r.type, created)));
                return;
            }
            Json.meta(applied).remove("resourceVersion"); // apply is unconditional unless forced otherwise
            patched = Patches.strategic(existing, applied);
        } else {
            if (existing == null) {
                throw ApiError.notFound(r.type, r.name);
            }
            JsonNode patch = Json.parse(r.body, "application/json");
            patched = switch (contentType) {
                case "application/merge-patch+json" -> Patches.merge(existing, patch);
                case "application/strategic-merge-patch+json" -> Patches.strategic(existing, patch);
                case "application/json-patch+json" -> Patches.jsonPatch(existing, patch);
                default -> throw ApiError.unsupportedMediaType(contentType);
            };
        }
        if (!patched.isObject()) {
            throw ApiError.invalid(r.type, r.name, "<root>", "the patched object is not an object");
        }
        checkName(r, (ObjectNode) patched);
        ObjectNode updated = prepareUpdate(r.type, r.subresource, existing, (ObjectNode) patched);
        r.send(200, present(r, r.dryRun() ? updated : save(r.type, updated)));
    }

    private void delete(ApiRequest r) {
        ObjectNode existing = require(r.type, r.namespace, r.name);
        if (r.body.length() > 0) {
            JsonNode pre = Json.parse(r.body, r.contentType()).path("preconditions");
            checkPrecondition(r, existing, pre, "uid", "UID");
            checkPrecondition(r, existing, pre, "resourceVersion", "ResourceVersion");
        }
        r.send(200, r.dryRun() ? existing : deleteOne(r.type, existing));
    }

    private void deleteCollection(ApiRequest r) {
        boolean dryRun = r.dryRun();
        ObjectNode list = Json.object().put("kind", r.type.listKind()).put("apiVersion", r.type.apiVersion());
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : selected(r)) {
            items.add(withoutTypeMeta(dryRun ? o : deleteOne(r.type, o)));
        }
        Json.meta(list).put("resourceVersion", Long.toString(store.resourceVersion()));
        r.send(200, list);
    }

    /**
     * Deletes at once, except that objects with finalizers only get a deletionTimestamp and go away
     * when an update removes the last finalizer. A namespace takes its objects with it.
     */
    private ObjectNode deleteOne(ResourceType t, ObjectNode existing) {
        ObjectNode meta = Json.meta(existing);
        if (meta.path("finalizers").size() > 0) {
            if (!meta.has("deletionTimestamp")) {
                meta.put("deletionTimestamp", Defaults.now());
                return store.put(t, existing);
            }
            return existing;
        }
        String ns = Json.text(existing, "metadata.namespace");
        String name = Json.text(existing, "metadata.name");
        if (t == ApiCatalog.NAMESPACES) {
            for (ResourceType nt : ApiCatalog.TYPES) {
                if (nt.namespaced()) {
                    store.list(nt, name).forEach(o -> store.remove(nt, name, Json.text(o, "metadata.name")));
                }
            }
        }
        return store.remove(t, ns, name);
    }

    /** Stores an update; the last finalizer going away completes a pending deletion. */
    private ObjectNode save(ResourceType t, ObjectNode updated) {
        ObjectNode meta = Json.meta(updated);
        if (meta.has("deletionTimestamp") && meta.path("finalizers").size() == 0) {
            store.put(t, updated);
            return store.remove(t, Json.text(updated, "metadata.namespace"), Json.text(updated, "metadata.name"));
        }
        return store.put(t, updated);
    }

    private static void checkPrecondition(ApiRequest r, ObjectNode existing, JsonNode pre, String field, String label) {
        String want = Json.text(pre, field);
        String have = Json.text(existing, "metadata." + field);
        if (want != null && !want.equals(have)) {
            throw ApiError.conflict(r.type, r.name, "Precondition failed: " + label + " in precondition: " + want
                    + ", " + label + " in object meta: " + have);
        }
    }

    private static void checkName(ApiRequest r, ObjectNode obj) {
        String name = Json.text(obj, "metadata.name");
        if (name != null && !name.equals(r.name)) {
            throw ApiError.badRequest("the name of the object (" + name + ") does not match the name on the URL (" + r.name + ")");
        }
    }

    private static void checkKind(ResourceType t, ObjectNode obj) {
        String kind = Json.text(obj, "kind");
        String apiVersion = Json.text(obj, "apiVersion");
        if (kind != null && !kind.equals(t.kind()) || apiVersion != null && !apiVersion.equals(t.apiVersion())) {
            throw ApiError.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + t.apiVersion() + ") or kind (" + kind + ") does not match " + t.kind());
        }
    }

    /** Validates a new object and fills in what the apiserver sets: uid, timestamps, generation, defaults. */
    private ObjectNode prepareCreate(ResourceType t, String namespace, ObjectNode in) {
        checkKind(t, in);
        ObjectNode obj = Json.object().put("kind", t.kind()).put("apiVersion", t.apiVersion());
        obj.setAll(in);
        ObjectNode meta = Json.meta(obj);
        String name = Json.text(obj, "metadata.name");
        if (name == null || name.isEmpty()) {
            String prefix = Json.text(obj, "metadata.generateName");
            if (prefix == null || prefix.isEmpty()) {
                throw ApiError.invalid(t, "", "metadata.name", "Required value: name or generateName is required");
            }
            name = prefix + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36), 36);
            meta.put("name", name);
        }
        if (t.namespaced()) {
            String bodyNs = Json.text(obj, "metadata.namespace");
            if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            if (!store.exists(ApiCatalog.NAMESPACES, null, namespace)) {
                throw ApiError.notFound(ApiCatalog.NAMESPACES, namespace);
            }
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        if (store.exists(t, namespace, name)) {
            throw ApiError.alreadyExists(t, name);
        }
        meta.remove(List.of("resourceVersion", "deletionTimestamp", "selfLink"));
        meta.put("uid", UUID.randomUUID().toString()).put("creationTimestamp", Defaults.now());
        if (obj.has("spec")) {
            meta.put("generation", 1);
        }
        Defaults.apply(t, obj, true);
        return obj;
    }

    /**
     * The object a PUT or patch produces. Identity fields keep their stored values; a stale
     * resourceVersion conflicts. Types with a status subresource keep their status on main-resource
     * writes and change only their status through it.
     */
    private static ObjectNode prepareUpdate(ResourceType t, String subresource, ObjectNode existing, ObjectNode in) {
        checkKind(t, in);
        String rv = Json.text(in, "metadata.resourceVersion");
        String name = Json.text(existing, "metadata.name");
        if (rv != null && !rv.isEmpty() && !rv.equals(Json.text(existing, "metadata.resourceVersion"))) {
            throw ApiError.conflict(t, name, "the object has been modified; please apply your changes to the latest version and try again");
        }
        ObjectNode obj;
        if ("status".equals(subresource)) {
            obj = existing.deepCopy();
            setOrRemove(obj, "status", in.get("status"));
        } else if ("ephemeralcontainers".equals(subresource)) {
            obj = existing.deepCopy();
            setOrRemove(obj.withObjectProperty("spec"), "ephemeralContainers", in.path("spec").get("ephemeralContainers"));
        } else {
            obj = Json.object().put("kind", t.kind()).put("apiVersion", t.apiVersion());
            obj.setAll(in);
            if (t.hasStatus()) {
                setOrRemove(obj, "status", existing.get("status"));
            }
        }
        obj.put("kind", t.kind()).put("apiVersion", t.apiVersion());
        ObjectNode meta = Json.meta(obj);
        JsonNode old = existing.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation")) {
            setOrRemove(meta, f, old.get(f));
        }
        if (old.has("generation") && !existing.path("spec").equals(obj.path("spec"))) {
            meta.put("generation", old.path("generation").asLong() + 1);
        }
        Defaults.apply(t, obj, false);
        return obj;
    }

    private static void setOrRemove(ObjectNode target, String field, JsonNode value) {
        if (value == null || value.isMissingNode()) {
            target.remove(field);
        } else {
            target.set(field, value.deepCopy());
        }
    }


}
