package dev.kubegate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.http.HttpServerResponse;

/**
 * A streaming watch: newline-delimited JSON events in a chunked response, each written (and so
 * flushed) as it happens. It ends on {@code timeoutSeconds}, or when the client goes away, which
 * removes it from the store at once ({@link FakeKubeApiServer#openWatches()} drops).
 */
final class WatchStream implements Consumer<ObjectStore.Event> {
    private final FakeKubeApiServer server;
    private final ObjectStore store;
    private final ApiRequest r;
    private final Predicate<ObjectNode> filter;
    private final String namespace;
    private final String tableVersion;
    private HttpServerResponse resp;
    private boolean firstTable = true;
    private boolean closed;
    private final List<Long> timers = new ArrayList<>();

    WatchStream(FakeKubeApiServer server, ApiRequest r, Predicate<ObjectNode> filter) {
        this.server = server;
        this.store = server.store;
        this.r = r;
        this.filter = filter;
        this.namespace = r.type.namespaced() ? r.namespace : null;
        this.tableVersion = r.acceptParam(Set.of("Table"), "v");
    }

    void start() {
        String rv = r.param("resourceVersion");
        boolean sendInitial = r.flag("sendInitialEvents");
        boolean bookmarks = r.flag("allowWatchBookmarks");
        // unset or "0": start with synthetic ADDED events for what exists, like the apiserver
        boolean initial = sendInitial || rv == null || rv.isEmpty() || rv.equals("0");
        List<ObjectStore.Event> backlog = List.of();
        ApiError gone = null;
        if (!initial) {
            try {
                backlog = store.eventsSince(Long.parseLong(rv));
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid resource version: " + rv);
            } catch (ApiError e) {
                gone = e;
            }
        }
        resp = r.stream("application/json");
        server.openWatches.incrementAndGet();
        r.onClientGone(this::stop);
        if (gone != null) {
            // the apiserver's watch cache answers a too-old resourceVersion with an ERROR event
            write("ERROR", gone.status());
            stop();
            return;
        }
        if (initial) {
            for (ObjectNode o : store.list(r.type, namespace)) {
                if (filter.test(o)) {
                    write("ADDED", o);
                }
            }
            if (sendInitial && bookmarks) {
                ObjectNode b = bookmark();
                Json.meta(b).putObject("annotations").put("k8s.io/initial-events-end", "true");
                write("BOOKMARK", b);
            }
        }
        backlog.forEach(this);
        store.addListener(this);
        int timeout = r.intParam("timeoutSeconds", 0);
        if (timeout > 0) {
            timers.add(server.vertx.setTimer(timeout * 1000L, id -> stop()));
        }
        if (bookmarks) {
            long every = Math.max(10, server.options.bookmarkInterval().toMillis());
            timers.add(server.vertx.setPeriodic(every, id -> write("BOOKMARK", bookmark())));
        }
    }

    @Override
    public void accept(ObjectStore.Event e) {
        if (e.resource() != r.type || namespace != null && !namespace.equals(Json.text(e.object(), "metadata.namespace"))) {
            return;
        }
        boolean now = filter.test(e.object());
        boolean before = e.previous() != null && filter.test(e.previous());
        // an object moving into or out of the selection is ADDED or DELETED for this watch
        String type = switch (e.type()) {
            case "ADDED" -> now ? "ADDED" : null;
            case "MODIFIED" -> now ? (before ? "MODIFIED" : "ADDED") : (before ? "DELETED" : null);
            default -> before ? "DELETED" : null;
        };
        if (type != null) {
            write(type, e.object().deepCopy());
        }
    }

    private ObjectNode bookmark() {
        ObjectNode b = Json.object().put("kind", r.type.kind()).put("apiVersion", r.type.apiVersion());
        Json.meta(b).put("resourceVersion", Long.toString(store.resourceVersion()));
        return b;
    }

    private void write(String type, ObjectNode object) {
        if (closed || !r.open()) {
            stop();
            return;
        }
        JsonNode payload = object;
        if (tableVersion != null && !type.equals("BOOKMARK") && !type.equals("ERROR")) {
            ObjectNode meta = Json.object().put("resourceVersion", Json.text(object, "metadata.resourceVersion"));
            payload = Tables.table(r.type, List.of(object), meta, tableVersion, r.param("includeObject"), firstTable);
            firstTable = false;
        }
        ObjectNode event = Json.object().put("type", type);
        event.set("object", payload);
        resp.write(Json.buffer(event).appendString("\n"));
    }

    private void stop() {
        if (closed) {
            return;
        }
        closed = true;
        store.removeListener(this);
        timers.forEach(server.vertx::cancelTimer);
        server.openWatches.decrementAndGet();
        if (r.open()) {
            resp.end();
        }
    }
}
