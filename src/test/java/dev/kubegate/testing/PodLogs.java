package dev.kubegate.testing;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code pods/log}: scripted lines per pod, served as text/plain. With {@code follow=true} the
 * response stays open and receives lines appended later, until the client leaves or the pod is
 * deleted (as a container's log stream ends with the container).
 */
final class PodLogs {
    private record Line(Instant time, String text) {
    }

    private final FakeKubeApiServer server;
    private final Map<String, List<Line>> lines = new HashMap<>();
    private final Map<String, List<Follower>> followers = new HashMap<>();

    PodLogs(FakeKubeApiServer server) {
        this.server = server;
        server.store.addListener(e -> {
            if (e.type().equals("DELETED") && e.resource() == ApiCatalog.PODS) {
                String key = ObjectStore.key(Json.text(e.object(), "metadata.namespace"), Json.text(e.object(), "metadata.name"));
                List.copyOf(followers.getOrDefault(key, List.of())).forEach(Follower::stop);
            }
        });
    }

    void add(String namespace, String pod, List<String> text) {
        String key = ObjectStore.key(namespace, pod);
        List<Line> log = lines.computeIfAbsent(key, k -> new ArrayList<>());
        for (String t : text) {
            Line l = new Line(Instant.now(), t);
            log.add(l);
            List.copyOf(followers.getOrDefault(key, List.of())).forEach(f -> f.write(l));
        }
    }

    void handle(ApiRequest r) {
        if (!r.verb.equals("get")) {
            throw ApiError.methodNotAllowed();
        }
        ObjectNode pod = server.store.get(ApiCatalog.PODS, r.namespace, r.name);
        if (pod == null) {
            throw ApiError.notFound(ApiCatalog.PODS, r.name);
        }
        container(pod, r.param("container"));
        String key = ObjectStore.key(r.namespace, r.name);
        List<Line> selected = new ArrayList<>(lines.getOrDefault(key, List.of()));
        int since = r.intParam("sinceSeconds", 0);
        if (since > 0) {
            Instant from = Instant.now().minusSeconds(since);
            selected.removeIf(l -> l.time().isBefore(from));
        }
        int tail = r.intParam("tailLines", -1);
        if (tail >= 0 && selected.size() > tail) {
            selected = selected.subList(selected.size() - tail, selected.size());
        }
        boolean timestamps = r.flag("timestamps");
        if (!r.flag("follow")) {
            Buffer out = Buffer.buffer();
            selected.forEach(l -> out.appendString(format(l, timestamps)));
            int limit = r.intParam("limitBytes", 0);
            r.send(200, "text/plain", limit > 0 && out.length() > limit ? out.slice(0, limit) : out);
            return;
        }
        Follower f = new Follower(r, key, timestamps);
        selected.forEach(f::write);
    }

    /** The named container, or the only one; the apiserver's rules and messages. */
    static String container(ObjectNode pod, String requested) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : pod.path("spec").path("containers")) {
            names.add(c.path("name").asText());
        }
        for (JsonNode c : pod.path("spec").path("ephemeralContainers")) {
            names.add(c.path("name").asText());
        }
        String pod0 = Json.text(pod, "metadata.name");
        if (requested == null || requested.isEmpty()) {
            if (names.size() == 1) {
                return names.get(0);
            }
            throw ApiError.badRequest("a container name must be specified for pod " + pod0 + ", choose one of: " + names);
        }
        if (!names.contains(requested)) {
            throw ApiError.badRequest("container " + requested + " is not valid for pod " + pod0);
        }
        return requested;
    }

    private static String format(Line l, boolean timestamps) {
        return (timestamps ? DateTimeFormatter.ISO_INSTANT.format(l.time()) + " " : "") + l.text() + "\n";
    }

    private final class Follower {
        private final ApiRequest r;
        private final String key;
        private final boolean timestamps;
        private final HttpServerResponse resp;
        private boolean stopped;

        Follower(ApiRequest r, String key, boolean timestamps) {
            this.r = r;
            this.key = key;
            this.timestamps = timestamps;
            this.resp = r.stream("text/plain");
            followers.computeIfAbsent(key, k -> new ArrayList<>()).add(this);
            server.openLogStreams.incrementAndGet();
            r.onClientGone(this::stop);
        }

        void write(Line l) {
            if (!r.open()) {
                stop();
                return;
            }
            resp.write(format(l, timestamps));
        }

        void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            followers.getOrDefault(key, new ArrayList<>()).remove(this);
            server.openLogStreams.decrementAndGet();
            if (r.open()) {
                resp.end();
            }
        }
    }
}
