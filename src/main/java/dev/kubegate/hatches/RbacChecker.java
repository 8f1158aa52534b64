package dev.kubegate.hatches;

import dev.kubegate.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Asks the API server, with kubegate's own credentials, what each agent may do: one
 * SubjectAccessReview per {@link HatchChecks.Check} for the user and groups kubegate impersonates
 * (a SelfSubjectAccessReview when kubegate does not impersonate). Namespaced rights are asked for all
 * namespaces first and per namespace only when not granted everywhere. Non-blocking: every call goes
 * through the gateway's pooled client, at most {@link #CONCURRENCY} at a time.
 *
 * <p>kubegate's identity needs {@code create subjectaccessreviews}, {@code list namespaces} and
 * {@code list serviceaccounts} (the Helm chart grants them with {@code rbac.escapeHatchCheck}).
 * A call that fails is reported in {@link HatchReport#errors()}, never read as "not allowed" silently.
 */
public final class RbacChecker {

    static final int CONCURRENCY = 8;
    private static final long TIMEOUT_MS = 10_000;
    private static final int MAX_ERRORS = 20;

    private final UpstreamClient upstream;
    private final Clock clock;

    public RbacChecker(UpstreamClient upstream, Clock clock) {
        this.upstream = upstream;
        this.clock = clock;
    }

    /** One run over {@code subjects}. Never fails: what could not be checked is in the report's errors. */
    public Future<HatchReport> check(List<AgentSubject> subjects) {
        Run run = new Run();
        Future<Map<String, List<String>>> accounts = run.otherServiceAccounts();
        return run.namespaces().compose(namespaces -> accounts.compose(sas -> {
            List<Future<Void>> all = new ArrayList<>();
            for (AgentSubject s : subjects) {
                all.add(run.checkSubject(s, namespaces, sas));
            }
            return Future.join(all).transform(ar -> Future.succeededFuture(run.report(subjects)));
        }));
    }

    /** The state of one run: its throttle, findings and errors. */
    private final class Run {
        private final Throttle throttle = new Throttle(CONCURRENCY);
        private final Map<List<String>, TreeSet<String>> details = Collections.synchronizedMap(new LinkedHashMap<>());
        private final Map<List<String>, HatchChecks.Severity> severities = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        Future<Void> checkSubject(AgentSubject s, List<String> namespaces, Map<String, List<String>> otherAccounts) {
            List<Future<?>> calls = new ArrayList<>();
            for (HatchChecks.Check c : HatchChecks.CLUSTER) {
                calls.add(ifAllowed(s, c, "", () -> found(s, c, "", c.what())));
            }
            for (HatchChecks.Check c : HatchChecks.NAMESPACED) {
                calls.add(allowed(s, c, "").compose(everywhere -> {
                    if (everywhere) {
                        found(s, c, "*", c.what());
                        return Future.succeededFuture();
                    }
                    List<Future<Void>> each = new ArrayList<>();
                    for (String ns : namespaces) {
                        each.add(ifAllowed(s, c, ns, () -> found(s, c, ns, c.what())));
                    }
                    return Future.join(each).mapEmpty();
                }));
            }
            otherAccounts.forEach((ns, accounts) -> {
                for (HatchChecks.Check c : HatchChecks.POD_WRITERS) {
                    calls.add(ifAllowed(s, c, ns, () -> found(s, c, ns, c.what() + " (service accounts there: "
                            + String.join(", ", accounts) + ")")));
                }
            });
            return Future.join(calls).mapEmpty();
        }

        private Future<Void> ifAllowed(AgentSubject s, HatchChecks.Check c, String ns, Runnable then) {
            return allowed(s, c, ns).map(yes -> {
                if (yes) {
                    then.run();
                }
                return null;
            });
        }

        private void found(AgentSubject s, HatchChecks.Check c, String ns, String detail) {
            List<String> key = List.of(s.name(), c.kind(), ns);
            severities.put(key, c.severity());
            details.computeIfAbsent(key, k -> new TreeSet<>()).add(detail);
        }

        /** Whether {@code s} may do {@code c} in {@code ns}; false (and an error) when the review fails. */
        Future<Boolean> allowed(AgentSubject s, HatchChecks.Check c, String ns) {
            JsonObject attributes = new JsonObject().put("verb", c.verb()).put("group", c.group())
                    .put("resource", c.resource()).put("subresource", c.subresource()).put("namespace", ns);
            JsonObject spec = new JsonObject().put("resourceAttributes", attributes);
            String kind = s.self() ? "SelfSubjectAccessReview" : "SubjectAccessReview";
            if (!s.self()) {
                JsonArray groups = new JsonArray(new ArrayList<>(s.groups()));
                groups.add("system:authenticated"); // the API server adds it to every impersonated user
                spec.put("user", s.user()).put("groups", groups);
            }
            JsonObject review = new JsonObject().put("apiVersion", "authorization.k8s.io/v1").put("kind", kind).put("spec", spec);
            String path = "/apis/authorization.k8s.io/v1/" + kind.toLowerCase(java.util.Locale.ROOT) + "s";
            return throttle.submit(() -> call(HttpMethod.POST, path, review)).map(answer -> {
                JsonObject status = answer.getJsonObject("status");
                return status != null && Boolean.TRUE.equals(status.getBoolean("allowed"));
            }).recover(e -> {
                error(kind + " of " + s.name() + " for " + c.what() + (ns.isEmpty() ? "" : " in " + ns) + ": " + e.getMessage());
                return Future.succeededFuture(false);
            });
        }

        Future<List<String>> namespaces() {
            return listAll("/api/v1/namespaces").map(items -> {
                List<String> names = new ArrayList<>();
                items.forEach(i -> names.add(((JsonObject) i).getJsonObject("metadata").getString("name")));
                Collections.sort(names);
                return names;
            }).recover(e -> {
                error("listing namespaces (namespaced rights are checked for all namespaces at once only): " + e.getMessage());
                return Future.succeededFuture(List.of());
            });
        }

        /** Namespace → its service accounts other than {@code default}, for namespaces that have any. */
        Future<Map<String, List<String>>> otherServiceAccounts() {
            return listAll("/api/v1/serviceaccounts").map(items -> {
                Map<String, List<String>> out = new TreeMap<>();
                items.forEach(i -> {
                    JsonObject meta = ((JsonObject) i).getJsonObject("metadata");
                    if (!"default".equals(meta.getString("name"))) {
                        out.computeIfAbsent(meta.getString("namespace"), k -> new ArrayList<>()).add(meta.getString("name"));
                    }
                });
                out.values().forEach(Collections::sort);
                return out;
            }).recover(e -> {
                error("listing service accounts (pods as other service accounts are not checked): " + e.getMessage());
                return Future.succeededFuture(Map.of());
            });
        }

        /** Every item of a list, following {@code continue} tokens (500 per page). */
        private Future<JsonArray> listAll(String path) {
            return page(path, "", new JsonArray());
        }

        private Future<JsonArray> page(String path, String cont, JsonArray acc) {
            String uri = path + "?limit=500" + (cont.isEmpty() ? "" : "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8));
            return call(HttpMethod.GET, uri, null).compose(list -> {
                JsonArray items = list.getJsonArray("items", new JsonArray());
                acc.addAll(items);
                JsonObject meta = list.getJsonObject("metadata", new JsonObject());
                String next = meta.getString("continue", "");
                return next.isEmpty() ? Future.succeededFuture(acc) : page(path, next, acc);
            });
        }

        private void error(String message) {
            synchronized (errors) {
                if (errors.size() < MAX_ERRORS) {
                    errors.add(message);
                } else if (errors.size() == MAX_ERRORS) {
                    errors.add("more errors left out");
                }
            }
        }

        HatchReport report(List<AgentSubject> subjects) {
            List<HatchReport.Finding> findings = new ArrayList<>();
            synchronized (details) {
                details.forEach((key, what) -> findings.add(new HatchReport.Finding(key.get(0), key.get(1),
                        severities.get(key), key.get(2), String.join(", ", what))));
            }
            synchronized (errors) {
                return new HatchReport(subjects, findings, List.copyOf(errors), clock.instant());
            }
        }
    }

    /** One JSON call with kubegate's own identity; fails with the API server's message on any answer but 2xx. */
    private Future<JsonObject> call(HttpMethod method, String uri, JsonObject body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
        if (body != null) {
            headers.add("Content-Type", "application/json");
        }
        return upstream.request(method, uri, headers).compose(req -> {
            req.idleTimeout(TIMEOUT_MS);
            return body == null ? req.send() : req.send(body.toBuffer());
        }).compose(resp -> resp.body().compose(buf -> {
            if (resp.statusCode() / 100 != 2) {
                String message;
                try {
                    message = new JsonObject(buf).getString("message", buf.toString());
                } catch (RuntimeException e) {
                    message = buf.toString().lines().findFirst().orElse("");
                }
                return Future.failedFuture("the API server answered " + resp.statusCode() + ": " + message);
            }
            return Future.succeededFuture(new JsonObject(buf));
        }));
    }
}
