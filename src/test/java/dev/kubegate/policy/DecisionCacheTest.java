package dev.kubegate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kubegate.identity.Principal;
import dev.kubegate.k8s.EffectiveOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static dev.kubegate.policy.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decision cache: what it is keyed by ({@link InputReads}) and the property that matters — a
 * decision from the cache equals a fresh evaluation of the same input, for random inputs of which
 * most differ from an earlier one only in what the pack does not read.
 */
class DecisionCacheTest {

    static PolicyEngine cached;
    static PolicyEngine evaluated;

    @BeforeAll
    static void start() {
        cached = engine(100_000);
        evaluated = engine(0);
    }

    @AfterAll
    static void stop() {
        cached.close();
        evaluated.close();
    }

    static PolicyEngine engine(int cacheSize) {
        PolicyEngine e = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.empty(), 2,
                Duration.ofSeconds(2), 1024, Duration.ofSeconds(30), cacheSize));
        e.start();
        assertThat(e.loaded()).isPresent();
        return e;
    }

    static PolicyDecision decide(PolicyEngine e, PolicyInput in) {
        return e.decide(in).toCompletableFuture().join();
    }

    @Test
    void theDefaultPackDeclaresEverythingItsSourcesRead() throws Exception {
        // the full sources (with the entrypoint rule, which opa build leaves out of the bundle)
        Map<String, String> sources = Fixtures.defaultPack(null, null, null);
        InputReads fromSources = InputReads.derive(sources, null);
        assertThat(fromSources.whyNot()).isEmpty();
        assertThat(fromSources.paths()).contains(List.of("principal", "name"), List.of("request"), List.of("stats", "deletes"),
                List.of("stats", "mutations"), List.of("object"), List.of("oldObject"), List.of("podSpec"));
        // what changes on every call is not read by the pack, so it is not in the key
        assertThat(fromSources.paths()).doesNotContain(List.of("now"), List.of("stats"), List.of("stats", "requests"),
                List.of("principal"), List.of("principal", "id"));

        PolicyBundle builtIn = PolicyBundle.builtIn();
        JsonNode declared = builtIn.data().path("kubegate").get("decisionCacheInputs");
        assertThat(InputReads.derive(builtIn.rego(), null).cacheable()).as("no declaration, hidden entrypoint").isFalse();
        InputReads used = InputReads.derive(builtIn.rego(), declared);
        assertThat(used.whyNot()).isEmpty();
        for (List<String> read : fromSources.paths()) {
            assertThat(used.paths()).as("declared covers input.%s", String.join(".", read))
                    .anyMatch(p -> read.size() >= p.size() && read.subList(0, p.size()).equals(p));
        }
    }

    @Test
    void aDeclarationMustCoverWhatThePackedSourcesRead() {
        Map<String, String> packed = Map.of("a.rego", "package kubegate\nimport data.kubegate.decision\nx if input.request.verb\n");
        assertThat(InputReads.derive(packed, json("[\"request.verb\"]")).paths()).containsExactly(List.of("request", "verb"));
        assertThat(InputReads.derive(packed, json("[\"request.verb\"]")).whyNot()).isEmpty();
        assertThat(InputReads.derive(packed, json("[\"principal.name\"]")).whyNot())
                .hasValueSatisfying(why -> assertThat(why).contains("does not cover input.request.verb"));
        assertThat(InputReads.derive(packed, json("[]")).cacheable()).isFalse();
        assertThat(InputReads.derive(packed, json("[\"request.\"]")).cacheable()).isFalse();
        // the entrypoint in the sources: everything it reads is seen, no declaration needed
        assertThat(InputReads.derive(Map.of("a.rego", "package kubegate\ndecision := {\"allow\": input.request.verb == \"get\"}\n"), null)
                .paths()).containsExactly(List.of("request", "verb"));
    }

    @Test
    void referencesAreCutAtTheirFirstDynamicStepAndCommentsAndStringsReadNothing() {
        InputReads reads = InputReads.derive(Map.of("a.rego", """
                package x
                # input.commented.out is not read
                import input.request as r
                m := "see input.md" if input.principal.name == "x"
                k contains v if { some v; input.request.query[v] }
                n := data.lists.input
                t := `input.raw`
                s := input.stats.deletes + input.stats["mutations"]
                """));
        assertThat(reads.whyNot()).isEmpty();
        assertThat(reads.paths()).containsExactly(List.of("principal", "name"), List.of("request"), List.of("stats"));
    }

    @Test
    void aPolicyThatReadsTheWholeInputOrTheClockIsNeverCached() {
        assertThat(InputReads.derive(Map.of("a.rego", "package x\nallow if count(input) > 1\n")).cacheable()).isFalse();
        assertThat(InputReads.derive(Map.of("a.rego", "package x\nallow if input[\"request\"]\n")).cacheable()).isFalse();
        assertThat(InputReads.derive(Map.of("a.rego", "package x\nimport input\nallow if input.request\n")).cacheable()).isFalse();
        assertThat(InputReads.derive(Map.of("a.rego", "package x\nallow if { input.request; time.now_ns() > 0 }\n")).whyNot())
                .hasValueSatisfying(why -> assertThat(why).contains("time.now_ns"));
        assertThat(InputReads.derive(Map.of()).cacheable()).isFalse(); // a bare .wasm: nothing to derive from
    }

    @Test
    void theKeyHoldsExactlyTheReadParts() {
        InputReads reads = InputReads.derive(Map.of("a.rego", "package x\nallow if { input.principal.name; input.stats.deletes; input.request.verb }\n"));
        PolicyInput in = Fixtures.read("get", "pods", "default");
        assertThat(new String(in.toJson(reads.filter())))
                .isEqualTo("{\"principal\":{\"name\":\"alice\"},\"request\":{\"verb\":\"get\"},\"stats\":{\"deletes\":1}}");
    }

    @Test
    void aCacheHitEqualsAFreshEvaluation() {
        Random random = new Random(20261203L);
        List<PolicyInput> calls = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            calls.add(randomInput(random));
        }
        long hitsBefore = cached.cacheHits();
        int n = 2000;
        for (int i = 0; i < n; i++) {
            // an earlier call again with what the pack does not read changed (a hit when the key is right),
            // or also with counters or the principal changed (a miss when the key is right), or a new one
            PolicyInput earlier = calls.get(random.nextInt(calls.size()));
            PolicyInput in = switch (random.nextInt(6)) {
                case 0 -> randomInput(random);
                case 1 -> readPartsChanged(random, earlier);
                default -> unreadPartsChanged(random, earlier);
            };
            assertThat(decide(cached, in)).as("input %s", new String(in.toJson())).isEqualTo(decide(evaluated, in));
        }
        // most random reads repeat what the pack reads and differ elsewhere: the property was tested on hits
        assertThat(cached.cacheHits() - hitsBefore).isGreaterThan(n / 2);
    }

    @Test
    void aDataReloadForgetsTheDecisions(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data.json");
        Files.writeString(data, "{}");
        try (PolicyEngine e = new PolicyEngine(new PolicyEngine.Options(Optional.empty(), Optional.of(data), 1,
                Duration.ofHours(1), 16, Duration.ofSeconds(30), 100))) {
            e.start();
            PolicyInput read = Fixtures.read("get", "secrets", "team");
            assertThat(decide(e, read).allow()).isTrue();
            assertThat(decide(e, read).allow()).isTrue();
            assertThat(e.cacheHits()).isEqualTo(1);
            Files.writeString(data, "{\"kubegate\": {\"secretReadDeniedNamespaces\": [\"team\"]}}");
            assertThat(e.reload()).isTrue();
            assertThat(decide(e, read).allow()).isFalse();
        }
    }

    @Test
    void callsWithAnObjectAreEvaluated() {
        long hits = cached.cacheHits();
        PolicyInput create = Fixtures.createPod();
        decide(cached, create);
        decide(cached, create);
        assertThat(cached.cacheHits()).isEqualTo(hits);
    }

    // ---- random inputs: small domains, so that reads repeat ------------------------------------------

    private static final String[][] RESOURCES = {
            {"", "pods", ""}, {"", "pods", "log"}, {"", "pods", "exec"}, {"", "pods", "attach"}, {"", "pods", "portforward"},
            {"", "secrets", ""}, {"", "configmaps", ""}, {"", "serviceaccounts", "token"}, {"", "nodes", "proxy"},
            {"", "namespaces", ""}, {"apps", "deployments", ""}, {"apps", "deployments", "scale"},
            {"rbac.authorization.k8s.io", "clusterroles", ""}, {"rbac.authorization.k8s.io", "rolebindings", ""},
            {"certificates.k8s.io", "certificatesigningrequests", "approval"}, {"authentication.k8s.io", "tokenreviews", ""},
            {"apiextensions.k8s.io", "customresourcedefinitions", ""}, {"", "events", ""}};
    private static final String[] VERBS = {"get", "list", "watch", "delete", "deletecollection", "create", "update", "patch",
            "impersonate", "escalate", "bind"};
    private static final String[] NAMESPACES = {"default", "kube-system", "kubegate", "team", ""};
    private static final String[] NAMES = {"", "web", "kubegate", "admin"};
    private static final String[] PRINCIPALS = {"alice", "bob", ""};

    static PolicyInput randomInput(Random r) {
        String[] res = pick(r, RESOURCES);
        String verb = pick(r, VERBS);
        String ns = pick(r, NAMESPACES);
        String name = pick(r, NAMES);
        Map<String, List<String>> query = switch (r.nextInt(4)) {
            case 0 -> Map.of("command", List.of("sh"));
            case 1 -> Map.of("container", List.of("app"));
            default -> Map.of();
        };
        boolean dryRun = r.nextInt(8) == 0;
        EffectiveOptions options = dryRun ? new EffectiveOptions(EffectiveOptions.Source.QUERY, true, null, null, null, null, null, null)
                : r.nextInt(6) == 0 ? new EffectiveOptions(EffectiveOptions.Source.BODY, false, null, 0L, "Foreground", null, null, null)
                : EffectiveOptions.NONE;
        String path = "/api/" + res[1] + (name.isEmpty() ? "" : "/" + name) + (res[2].isEmpty() ? "" : "/" + res[2]);
        PolicyInput.Request request = new PolicyInput.Request(verb, res[0], res[0].isEmpty() ? "v1" : res[0] + "/v1", res[1], res[2],
                ns, name, r.nextInt(20) != 0, path, query, dryRun, options);
        Principal principal = randomPrincipal(r, pick(r, PRINCIPALS));
        // the budgets are 10 deletes and 200 mutations: cross them
        PolicyInput.Stats stats = new PolicyInput.Stats(r.nextInt(100_000), 195 + r.nextInt(10), 7 + r.nextInt(6), r.nextInt(50));
        Instant now = Instant.ofEpochMilli(1_790_000_000_000L + r.nextInt(1_000_000_000));
        JsonNode object = null;
        if (r.nextInt(10) == 0 && (verb.equals("create") || verb.equals("update"))) {
            object = json("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c" + r.nextInt(3) + "\"}}");
        }
        return new PolicyInput(principal, request, object, null, object == null ? null
                : PolicyInput.podSpecPath(res[0], res[1], res[2]).orElse(null), stats, now);
    }

    /** The same call with new values in what the pack does not read: principal id, kind, groups, session; counters; time. */
    static PolicyInput unreadPartsChanged(Random r, PolicyInput in) {
        PolicyInput.Stats s = in.stats();
        return new PolicyInput(randomPrincipal(r, in.principal().name()), in.request(), in.object(), in.oldObject(), in.podSpecPath(),
                new PolicyInput.Stats(r.nextInt(100_000), s.mutations(), s.deletes(), r.nextInt(50)),
                Instant.ofEpochMilli(1_790_000_000_000L + r.nextInt(1_000_000_000)));
    }

    /** The same request with the counters the budgets read, or the principal's name, changed. */
    static PolicyInput readPartsChanged(Random r, PolicyInput in) {
        PolicyInput.Stats s = in.stats();
        boolean principal = r.nextInt(3) == 0;
        return new PolicyInput(principal ? randomPrincipal(r, pick(r, PRINCIPALS)) : in.principal(), in.request(), in.object(),
                in.oldObject(), in.podSpecPath(), principal ? s : new PolicyInput.Stats(s.requests(), 195 + r.nextInt(10), 7 + r.nextInt(6),
                s.denied()), in.now());
    }

    static Principal randomPrincipal(Random r, String name) {
        List<String> groups = new ArrayList<>(List.of("agents"));
        if (r.nextBoolean()) {
            groups.add("g" + r.nextInt(1000));
        }
        return new Principal("static:" + name + r.nextInt(1000), name, r.nextBoolean() ? "static" : "oidc", groups,
                r.nextBoolean() ? Optional.empty()
                        : Optional.of(new Principal.Session("s-" + r.nextInt(), Map.of("task", "t" + r.nextInt(9)), Instant.ofEpochSecond(r.nextInt()))));
    }

    private static <T> T pick(Random r, T[] from) {
        return from[r.nextInt(from.length)];
    }
}
