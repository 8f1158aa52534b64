package dev.kubegate.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kubegate.k8s.EffectiveOptions;
import dev.kubegate.k8s.MediaType;
import dev.kubegate.k8s.QueryParams;
import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConditionalWriteTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CM = "/api/v1/namespaces/d/configmaps/c";

    static JsonNode at(String rv) throws Exception {
        return JSON.readTree("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"" + rv + "\"}}");
    }

    static ConditionalWrite.Forward bind(String method, String path, String query, String type, String body,
                                         JsonNode judged, JsonNode current) {
        RequestInfo info = RequestInfoParser.parse(method, path, query, false);
        QueryParams q = QueryParams.parse(query);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        EffectiveOptions o = EffectiveOptions.derive(info, q, body == null ? EffectiveOptions.Body.NONE
                : EffectiveOptions.Body.OPAQUE);
        if (info.verb().equals("delete") && body != null && MediaType.JSON.equals(type)) {
            o = EffectiveOptions.derive(info, q, EffectiveOptions.Body.json(ObjectDecoder.decode(bytes)));
        }
        return ConditionalWrite.bind(info, q, type, bytes, o, judged, current);
    }

    static String text(ConditionalWrite.Forward f) {
        return new String(f.body(), StandardCharsets.UTF_8);
    }

    @Test
    void anUpdateWithoutResourceVersionIsBoundToTheObjectRead() throws Exception {
        var f = bind("PUT", CM, "", MediaType.JSON, "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"n\":1.000000000000000000001}}",
                null, at("41"));
        assertThat(text(f)).isEqualTo("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"41\"},"
                + "\"data\":{\"n\":1.000000000000000000001}}");
        assertThat(f.boundResourceVersion()).isEqualTo("41");
        // Already conditional on the judged state: forwarded byte for byte.
        String same = "{\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"41\"}}";
        assertThat(text(bind("PUT", CM, "", MediaType.JSON, same, null, at("41")))).isEqualTo(same);
        assertThatThrownBy(() -> bind("PUT", CM, "", MediaType.JSON, "{\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"40\"}}", null, at("41")))
                .isInstanceOf(InspectionException.class).satisfies(e -> assertThat(((InspectionException) e).status().code()).isEqualTo(409));
        // Nothing read (absent or unreadable), a dry run, a YAML body: forwarded as sent.
        assertThat(bind("PUT", CM, "", MediaType.JSON, "{}", null, null).boundResourceVersion()).isNull();
        assertThat(bind("PUT", CM, "dryRun=All", MediaType.JSON, "{}", null, at("41")).boundResourceVersion()).isNull();
        assertThat(bind("PUT", CM, "", MediaType.YAML, "metadata: {name: c}", null, at("41")).boundResourceVersion()).isNull();
    }

    @Test
    void patchesAreBoundToTheDryRunTheyWereJudgedOn() throws Exception {
        assertThat(text(bind("PATCH", CM, "", MediaType.MERGE_PATCH, "{\"data\":{\"a\":\"b\"}}", at("7"), at("7"))))
                .isEqualTo("{\"data\":{\"a\":\"b\"},\"metadata\":{\"resourceVersion\":\"7\"}}");
        assertThat(text(bind("PATCH", CM, "", MediaType.STRATEGIC_MERGE_PATCH, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", at("7"), null)))
                .isEqualTo("{\"metadata\":{\"labels\":{\"a\":\"b\"},\"resourceVersion\":\"7\"}}");
        assertThat(text(bind("PATCH", CM, "", MediaType.JSON_PATCH, "[{\"op\":\"add\",\"path\":\"/data/a\",\"value\":\"b\"}]", at("7"), at("7"))))
                .isEqualTo("[{\"op\":\"add\",\"path\":\"/data/a\",\"value\":\"b\"},{\"op\":\"add\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"}]");
        assertThat(text(bind("PATCH", CM, "fieldManager=a", MediaType.APPLY_PATCH,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}", at("7"), at("7"))))
                .isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"7\"}}");
        // An apply that creates (the dry run has no stored version) and YAML text are forwarded as sent.
        assertThat(bind("PATCH", CM, "", MediaType.APPLY_PATCH, "{\"metadata\":{\"name\":\"c\"}}",
                JSON.readTree("{\"metadata\":{\"name\":\"c\"}}"), null).boundResourceVersion()).isNull();
        assertThat(bind("PATCH", CM, "", MediaType.APPLY_PATCH, "metadata: {name: c}", at("7"), at("7")).boundResourceVersion()).isNull();
        // The dry run and the object read disagree: the object changed while it was judged.
        assertThatThrownBy(() -> bind("PATCH", CM, "", MediaType.MERGE_PATCH, "{}", at("8"), at("7")))
                .isInstanceOf(InspectionException.class).hasMessageContaining("changed");
    }

    @Test
    void deletesCarryThePreconditionInTheirBody() throws Exception {
        var f = bind("DELETE", CM, "gracePeriodSeconds=0&dryRun=", null, null, null, at("5"));
        assertThat(text(f)).isEqualTo("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,"
                + "\"dryRun\":[\"\"],\"preconditions\":{\"resourceVersion\":\"5\"}}");
        assertThat(f.contentType()).isEqualTo("application/json");
        var b = bind("DELETE", CM, "gracePeriodSeconds=0", MediaType.JSON, "{\"propagationPolicy\":\"Background\"}", null, at("5"));
        assertThat(text(b)).isEqualTo("{\"propagationPolicy\":\"Background\",\"preconditions\":{\"resourceVersion\":\"5\"}}");
        assertThat(b.contentType()).isNull();
        assertThatThrownBy(() -> bind("DELETE", CM, "resourceVersion=4", null, null, null, at("5")))
                .isInstanceOf(InspectionException.class).hasMessageContaining("resourceVersion 4");
        // A delete kubegate knows is a dry run applies nothing: forwarded as sent.
        assertThat(bind("DELETE", CM, "dryRun=All", null, null, null, at("5")).body()).isEmpty();
        assertThat(bind("DELETE", "/api/v1/namespaces/d/configmaps", "", null, null, null, null).body()).isEmpty();
    }
}
