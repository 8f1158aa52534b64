package dev.kubegate.approval;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.k8s.QueryParams;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CallDigestTest {

    static String digest(String method, String path, String query, String body) {
        return digest(method, path, query, "application/json", body);
    }

    static String digest(String method, String path, String query, String contentType, String body) {
        String type = dev.kubegate.k8s.MediaType.digestForm(method, contentType, !body.isEmpty());
        return CallDigest.of(method, path, QueryParams.parse(query), type, body.getBytes(StandardCharsets.UTF_8), "s").digest();
    }

    @Test
    void theMediaTypeAsTheApiServerReadsItIsPartOfTheCall() {
        String p = "/api/v1/namespaces/x/configmaps/c";
        String smp = digest("PATCH", p, "", "application/strategic-merge-patch+json", "{\"data\":{\"a\":\"b\"}}");
        // The same bytes as another patch type are another operation.
        assertThat(digest("PATCH", p, "", "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}")).isNotEqualTo(smp);
        assertThat(digest("PATCH", p, "", "application/apply-patch+yaml", "{\"data\":{\"a\":\"b\"}}")).isNotEqualTo(smp);
        // What the API server ignores does not matter: a PATCH type's parameters.
        assertThat(digest("PATCH", p, "", "application/strategic-merge-patch+json; charset=utf-8", "{\"data\":{\"a\":\"b\"}}"))
                .isEqualTo(smp);
        // POST/PUT/DELETE: no Content-Type is JSON, case and parameters are ignored.
        String put = digest("PUT", p, "", "application/json", "{}");
        assertThat(digest("PUT", p, "", null, "{}")).isEqualTo(put);
        assertThat(digest("PUT", p, "", "Application/JSON; charset=latin1", "{}")).isEqualTo(put);
        assertThat(digest("PUT", p, "", "application/yaml", "{}")).isNotEqualTo(put);
        assertThat(digest("PUT", p, "", "text/plain", "{}")).isNotEqualTo(put);
        // A call without a body: the header changes nothing.
        assertThat(digest("DELETE", p, "", "application/yaml", "")).isEqualTo(digest("DELETE", p, "", null, ""));
        // Every query parameter counts, whatever its name.
        assertThat(digest("PUT", p, "fieldManager=a", "application/json", "{}")).isNotEqualTo(put);
        assertThat(digest("PUT", p, "x-unknown=1", "application/json", "{}")).isNotEqualTo(put);
    }

    @Test
    void theQueryIsCanonicalButEverythingElseCounts() {
        String base = digest("DELETE", "/api/v1/namespaces/x", "a=1&b=2", "{}");
        assertThat(digest("DELETE", "/api/v1/namespaces/x", "b=2&a=1", "{}")).isEqualTo(base);
        assertThat(digest("DELETE", "/api/v1/namespaces/x", "a=%31&b=2", "{}")).isEqualTo(base);
        assertThat(digest("DELETE", "/api/v1/namespaces/y", "a=1&b=2", "{}")).isNotEqualTo(base);
        assertThat(digest("POST", "/api/v1/namespaces/x", "a=1&b=2", "{}")).isNotEqualTo(base);
        assertThat(digest("DELETE", "/api/v1/namespaces/x", "a=1&b=3", "{}")).isNotEqualTo(base);
        assertThat(digest("DELETE", "/api/v1/namespaces/x", "a=1&b=2", "{ }")).isNotEqualTo(base);
        // Repeated values keep their order: it can matter to the API server.
        assertThat(digest("GET", "/p", "x=1&x=2", "")).isNotEqualTo(digest("GET", "/p", "x=2&x=1", ""));
        // No ambiguity between query and body boundaries.
        assertThat(digest("GET", "/p", "a=1", "")).isNotEqualTo(digest("GET", "/p", "", "a=1"));
    }

    @Test
    void diffsShowWhatChangesAndSkipBookkeeping() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var before = json.readTree("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"1\",\"labels\":{\"a\":\"1\"}},\"data\":{\"k\":\"v\",\"gone\":\"x\"}}");
        var after = json.readTree("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"2\",\"labels\":{\"a\":\"2\"}},\"data\":{\"k\":\"v\",\"new\":\"<script>\"}}");
        List<ObjectDiff.Entry> d = ObjectDiff.between(before, after);
        assertThat(d).containsExactly(
                new ObjectDiff.Entry("remove", "/data/gone", "\"x\"", null),
                new ObjectDiff.Entry("add", "/data/new", null, "\"<script>\""),
                new ObjectDiff.Entry("replace", "/metadata/labels/a", "\"1\"", "\"2\""));
        assertThat(ObjectDiff.between(before, null)).containsExactly(new ObjectDiff.Entry("remove", "", "ConfigMap c", null));
        assertThat(ObjectDiff.between(null, after)).extracting(ObjectDiff.Entry::path).contains("/kind", "/data");
        StringBuilder big = new StringBuilder("{");
        for (int i = 0; i < 500; i++) big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        var many = json.readTree(big.append('}').toString());
        assertThat(ObjectDiff.between(json.readTree("{}"), many)).hasSize(ObjectDiff.MAX_ENTRIES + 1)
                .last().isEqualTo(new ObjectDiff.Entry(ObjectDiff.MORE, "", null, "… 400 more changes not shown"));
    }

    @Test
    void webhookTextEscapesAgentData() {
        assertThat(ApprovalNotifier.esc("<!channel> & <http://x|y>")).isEqualTo("&lt;!channel&gt; &amp; &lt;http://x|y&gt;");
    }
}
