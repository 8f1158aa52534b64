package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import static dev.kubegate.masking.MaskingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secret values masked by value wherever they sit in their Secret; credentials in answers. */
class WholeObjectMaskerTest {

    static final MaskRules RULES = defaults();
    static final String VALUE = "Sup3r-S3cret-Value-42";
    static final String B64 = b64(VALUE);

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static StreamMasker secrets() {
        return WholeObjectMasker.forAnswer(RULES, ResourceHint.SECRETS);
    }

    static String run(StreamMasker m, String json) {
        return str(WholeObjectMasker.maskAll(m, utf8(json)));
    }

    /** A Secret as the API server writes it after a JSON patch copied its value into metadata. */
    static ObjectNode exfiltratedNode(String name, String value) {
        String b = b64(value);
        ObjectNode o = JSON.createObjectNode().put("kind", "Secret").put("apiVersion", "v1");
        ObjectNode meta = o.putObject("metadata").put("name", name).put("namespace", "default");
        meta.putObject("labels").put("copied", b).put("app", "web");
        ObjectNode lastApplied = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
        lastApplied.putObject("stringData").put("p", value);
        meta.putObject("annotations").put("moved", b).put("prefixed", "x-" + b + "-y").put("decoded", "pw=" + value)
                .put("kubectl.kubernetes.io/last-applied-configuration", goJson(lastApplied));
        meta.putArray("finalizers").add("example.com/" + b);
        ObjectNode mf = meta.putArray("managedFields").addObject().put("manager", "kubectl").put("operation", "Update");
        mf.putObject("fieldsV1").putObject("f:metadata").putObject("f:annotations").putObject("f:" + b);
        o.put("type", "Opaque");
        o.putObject("data").put("password", b);
        return o;
    }

    /** JSON as Go writes it: HTML characters escaped. */
    static String goJson(JsonNode n) {
        return n.toString().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }

    static String exfiltrated(String name, String value) {
        return exfiltratedNode(name, value).toString();
    }

    static void assertNoValue(String out, String value) {
        assertThat(out).doesNotContain(b64(value)).doesNotContain(value);
    }

    @Test
    void aValueCopiedAnywhereInItsSecretIsMasked() {
        String out = run(secrets(), exfiltrated("db", VALUE));
        assertNoValue(out, VALUE);
        JsonNode t = tree(out);
        assertThat(t.at("/metadata/labels/copied").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/labels/app").asText()).isEqualTo("web");
        assertThat(t.at("/metadata/annotations/moved").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/annotations/prefixed").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/annotations/decoded").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/finalizers/0").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/managedFields/0/fieldsV1/f:metadata/f:annotations").fieldNames().next()).isEqualTo("***");
        assertThat(t.at("/metadata/name").asText()).isEqualTo("db");
        assertThat(t.at("/type").asText()).isEqualTo("Opaque");
        assertThat(t.at("/data/password").asText()).isEqualTo("Kioq");
    }

    @Test
    void everyChunkSplitGivesTheSameAnswer() {
        byte[] in = utf8(exfiltrated("db", VALUE));
        String whole = run(secrets(), new String(in, StandardCharsets.UTF_8));
        for (int cut = 1; cut < in.length; cut++) {
            assertThat(maskSplit(secrets(), in, cut)).as("cut at %d", cut).isEqualTo(whole);
        }
        int[] bytes = new int[in.length - 1];
        for (int i = 0; i < bytes.length; i++) bytes[i] = i + 1;
        assertThat(maskSplit(secrets(), in, bytes)).isEqualTo(whole);
    }

    @Test
    void listsStreamItemByItemAndEachSecretIsMaskedWithItsOwnValues() {
        ObjectNode a = exfiltratedNode("a", "first-Secret-value-1");
        ObjectNode b = exfiltratedNode("b", "second-Secret-value-2");
        a.remove(List.of("kind", "apiVersion"));
        b.remove(List.of("kind", "apiVersion"));
        String list = "{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[" + a + "," + b + "]}";
        byte[] in = utf8(list);
        StreamMasker m = secrets();
        int endOfFirst = list.indexOf(",{\"metadata\":{\"name\":\"b\"") + 1;
        String first = str(m.feed(in, 0, endOfFirst + 10));
        // the first item is out before the second is read whole: one item held at a time
        assertThat(first).contains("\"name\":\"a\"").doesNotContain("\"name\":\"b\"");
        assertNoValue(first, "first-Secret-value-1");
        String rest = str(m.feed(in, endOfFirst + 10, in.length - endOfFirst - 10)) + str(m.finish());
        assertNoValue(rest, "second-Secret-value-2");
        assertThat(tree(first + rest).at("/items/1/metadata/annotations/moved").asText()).isEqualTo("***");
        assertThat(tree(first + rest).at("/items/0/data/password").asText()).isEqualTo("Kioq");
    }

    @Test
    void tablesWithObjectsAreMaskedByValueAndMetadataOnlyRowsFailClosed() {
        String full = exfiltrated("db", VALUE);
        String table = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"columnDefinitions\":[{\"name\":\"Name\",\"type\":\"string\"}],"
                + "\"rows\":[{\"cells\":[\"db\",\"Opaque\",1,\"5m\"],\"object\":" + full + "},"
                + "{\"cells\":[\"other\",\"Opaque\",1,\"5m\"],\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"other\",\"generateName\":\"" + B64 + "\",\"labels\":{\"l\":\"" + B64 + "\"},\"annotations\":{\"a\":\"" + VALUE + "\"}}}}]}";
        String out = run(secrets(), table);
        assertNoValue(out, VALUE);
        JsonNode t = tree(out);
        assertThat(t.at("/rows/0/cells/0").asText()).isEqualTo("db");
        assertThat(t.at("/rows/0/object/metadata/annotations/moved").asText()).isEqualTo("***");
        assertThat(t.at("/rows/1/object/metadata/labels").fieldNames().next()).isEqualTo("l"); // keys kept
        assertThat(t.at("/rows/1/object/metadata/labels/l").asText()).isEqualTo("***");
        assertThat(t.at("/rows/1/object/metadata/name").asText()).isEqualTo("other");
        assertThat(t.at("/columnDefinitions/0/name").asText()).isEqualTo("Name");
    }

    @Test
    void watchEventsAreMaskedOneByOneAndEndTheirLine() {
        String e1 = "{\"type\":\"ADDED\",\"object\":" + exfiltrated("a", VALUE) + "}";
        String e2 = "{\"type\":\"MODIFIED\",\"object\":" + exfiltrated("a", "another-Value-99") + "}\n";
        byte[] in = utf8(e1 + "\n" + e2);
        StreamMasker m = secrets();
        String first = str(m.feed(in, 0, e1.length() + 5));
        assertThat(first).endsWith("\n").contains("ADDED").doesNotContain("MODIFIED");
        assertThat(m.atBoundary()).isFalse(); // the second event has started
        assertNoValue(first, VALUE);
        String second = str(m.feed(in, e1.length() + 5, in.length - e1.length() - 5));
        assertThat(m.atBoundary()).isTrue();
        assertNoValue(second, "another-Value-99");
        assertThat(second.lines().count()).isEqualTo(1);
        assertThat(str(m.finish())).isEmpty();
    }

    @Test
    void shortValuesAreMatchedOnlyWhole() {
        String s = j("{'kind':'Secret','metadata':{'name':'alpha','labels':{'flag':'a','b64':'YQ==','word':'banana'}},"
                + "'type':'Opaque','data':{'k':'YQ=='}}");
        JsonNode t = tree(run(secrets(), s));
        assertThat(t.at("/metadata/name").asText()).isEqualTo("alpha");
        assertThat(t.at("/metadata/labels/word").asText()).isEqualTo("banana");
        assertThat(t.at("/metadata/labels/flag").asText()).isEqualTo("***");
        assertThat(t.at("/metadata/labels/b64").asText()).isEqualTo("***");
        // a 7-character value is not searched inside strings; an 8-character one is
        SecretValues seven = new SecretValues();
        seven.addRaw("1234567");
        assertThat(seven.leaks("x1234567x")).isFalse();
        assertThat(seven.leaks("1234567")).isTrue();
        SecretValues eight = new SecretValues();
        eight.addRaw("12345678");
        assertThat(eight.leaks("x12345678x")).isTrue();
        SecretValues empty = new SecretValues();
        empty.addRaw("");
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.leaks("")).isFalse();
    }

    @Test
    void unicodeAndEscapedValuesAreFoundInEveryForm() {
        String value = "pässwörd<日本語>&\"q\"";
        String out = run(secrets(), exfiltrated("u", value));
        assertNoValue(out, value);
        assertThat(out).doesNotContain(SecretValues.goJsonEscape(value));
        SecretValues v = new SecretValues();
        v.addRaw(value);
        assertThat(v.leaks("{\"p\":\"p\u00e4sswörd\\u003c日本語\\u003e\\u0026\\\"q\\\"\"}")).isTrue();
        assertThat(v.leaks("pässwörd")).isFalse();
        // binary data (not UTF-8) can only leak as base64
        SecretValues bin = new SecretValues();
        bin.addBase64(Base64.getEncoder().encodeToString(new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3, 4, 5}));
        assertThat(bin.leaks("//4AAQIDBAU=")).isTrue();
    }

    @Test
    void aValueMovedOutOfDataIsMaskedWithTheValuesOfTheObjectBefore() {
        String before = exfiltrated("db", VALUE);
        String moved = j("{'kind':'Secret','metadata':{'name':'db','labels':{'leak':'" + B64 + "'}},'data':{}}");
        assertThat(run(secrets(), moved)).contains(B64); // the answer alone cannot tell
        String out = run(WholeObjectMasker.forAnswer(RULES, ResourceHint.SECRETS, SecretValues.ofSecret(utf8(before))), moved);
        assertThat(out).doesNotContain(B64);
        assertThat(SecretValues.ofSecret(utf8("[1,2]")).isEmpty()).isTrue();
        assertThat(SecretValues.ofSecret(utf8("{\"data\":{\"a\":")).isEmpty()).isTrue();
        assertThat(SecretValues.ofSecret(null).isEmpty()).isTrue();
    }

    @Test
    void stringDataOfAWriteIsUsedToo() {
        String s = j("{'kind':'Secret','metadata':{'name':'n','annotations':{'a':'" + VALUE + "','b':'" + B64 + "'}},"
                + "'stringData':{'p':'" + VALUE + "'}}");
        String out = run(secrets(), s);
        assertNoValue(out, VALUE);
        assertThat(tree(out).at("/stringData/p").asText()).isEqualTo("***");
    }

    @Test
    void validationErrorsDoNotQuoteTheValue() {
        ObjectNode st = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", "Secret \"db\" is invalid: metadata.labels: Invalid value: \"" + B64 + "\": a valid label must be an empty string")
                .put("reason", "Invalid").put("code", 422);
        st.putObject("details").putArray("causes").addObject().put("reason", "FieldValueInvalid")
                .put("message", "Invalid value: \"" + B64 + "\": a valid label").put("field", "metadata.labels");
        String status = st.toString();
        String out = run(secrets(), status);
        assertThat(out).doesNotContain(B64).contains("Invalid value: \\\"***\\\"").contains("metadata.labels");
        assertThat(tree(out).at("/code").asInt()).isEqualTo(422);
    }

    @Test
    void objectsWithoutKindOrDataFailClosed() {
        String s = j("{'metadata':{'name':'n','labels':{'l':'x'}}}");
        assertThat(tree(run(secrets(), s)).at("/metadata/labels/l").asText()).isEqualTo("***");
    }

    @Test
    void anObjectTooLargeToHoldIsRefused() {
        String big = "x".repeat(WholeObjectMasker.MAX_OBJECT_CHARS + 1);
        assertThatThrownBy(() -> run(secrets(), "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + big + "\"}}"))
                .isInstanceOf(MaskingException.class).hasMessageContaining("larger than");
        assertThatThrownBy(() -> run(secrets(), "{\"kind\":\"Secret\",\"metadata\":{")).isInstanceOf(MaskingException.class);
    }

    @Test
    void credentialsInAnswersAreMasked() {
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
        String tr = run(WholeObjectMasker.forAnswer(RULES, ResourceHint.TOKEN_REQUEST),
                j("{'kind':'TokenRequest','apiVersion':'authentication.k8s.io/v1','metadata':{'name':'sa'},"
                        + "'spec':{'audiences':['https://kubernetes.default.svc']},'status':{'token':'" + token + "','expirationTimestamp':'2026-12-03T11:00:00Z'}}"));
        assertThat(tr).doesNotContain(token);
        assertThat(tree(tr).at("/status/token").asText()).isEqualTo("***");
        assertThat(tree(tr).at("/status/expirationTimestamp").asText()).isEqualTo("2026-12-03T11:00:00Z");

        String review = run(WholeObjectMasker.forAnswer(RULES, ResourceHint.TOKEN_REVIEW),
                j("{'kind':'TokenReview','apiVersion':'authentication.k8s.io/v1','spec':{'token':'" + token + "'},'status':{'authenticated':true,'user':{'username':'u'}}}"));
        assertThat(review).doesNotContain(token);
        assertThat(tree(review).at("/status/user/username").asText()).isEqualTo("u");

        String list = run(WholeObjectMasker.forAnswer(RULES, ResourceHint.CERTIFICATE_REQUESTS),
                j("{'kind':'CertificateSigningRequestList','items':[{'metadata':{'name':'c1'},'spec':{'request':'UkVR'},'status':{'certificate':'Q0VSVA=='}},"
                        + "{'metadata':{'name':'c2'},'status':{}}]}"));
        assertThat(tree(list).at("/items/0/status/certificate").asText()).isEqualTo("Kioq");
        assertThat(tree(list).at("/items/0/spec/request").asText()).isEqualTo("UkVR");

        // the policy may let them through explicitly
        MaskRules open = new MaskRules(true, List.<Pattern>of(), List.of(), false);
        assertThat(WholeObjectMasker.forAnswer(open, ResourceHint.TOKEN_REQUEST)).isInstanceOf(JsonMasker.class);
    }

    @Test
    void otherAnswersKeepTheLocationMaskerAlone() {
        assertThat(WholeObjectMasker.forAnswer(RULES, ResourceHint.NONE)).isInstanceOf(JsonMasker.class);
        assertThat(ResourceHint.of("", "secrets", "")).isEqualTo(ResourceHint.SECRETS);
        assertThat(ResourceHint.of("", "serviceaccounts", "token")).isEqualTo(ResourceHint.TOKEN_REQUEST);
        assertThat(ResourceHint.of("", "serviceaccounts", "")).isEqualTo(ResourceHint.NONE);
        assertThat(ResourceHint.of("authentication.k8s.io", "tokenreviews", "")).isEqualTo(ResourceHint.TOKEN_REVIEW);
        assertThat(ResourceHint.of("certificates.k8s.io", "certificatesigningrequests", "approval")).isEqualTo(ResourceHint.CERTIFICATE_REQUESTS);
        // a list that is not of Secrets streams through untouched by this masker
        String pods = j("{'kind':'PodList','items':[{'metadata':{'name':'p','labels':{'a':'" + VALUE + "'}}}]}");
        assertThat(tree(run(WholeObjectMasker.forAnswer(RULES, ResourceHint.TOKEN_REQUEST), pods)).at("/items/0/metadata/labels/a").asText())
                .isEqualTo(VALUE);
    }
}
