package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static dev.kubegate.masking.MaskingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonMaskerTest {

    static final MaskRules RULES = defaults();

    static JsonMasker masker() {
        return new JsonMasker(RULES, ResourceHint.NONE);
    }

    static final String SECRET = j("""
            {'kind':'Secret','apiVersion':'v1','metadata':{'name':'db','namespace':'prod',
             'labels':{'app':'db'}},'type':'Opaque',
             'data':{'password':'aHVudGVyMg==','user':'YWRtaW4='},'stringData':{'token':'t0k3n'},'immutable':false}""");

    static final String SECRET_MASKED = j("""
            {'kind':'Secret','apiVersion':'v1','metadata':{'name':'db','namespace':'prod',
             'labels':{'app':'db'}},'type':'Opaque',
             'data':{'password':'Kioq','user':'Kioq'},'stringData':{'token':'***'},'immutable':false}""");

    @Test
    void secretValuesAreMaskedKeysAndTheRestKept() {
        JsonMasker m = masker();
        String out = mask(m, SECRET);
        assertThat(tree(out)).isEqualTo(tree(SECRET_MASKED));
        assertThat(m.maskedCount()).isEqualTo(3);
        assertThat(out).endsWith("}\n").doesNotContain("aHVudGVyMg", "t0k3n");
    }

    @Test
    void base64PlaceholderDecodes() {
        assertThat(new String(java.util.Base64.getDecoder().decode(JsonMasker.BASE64_PLACEHOLDER)))
                .isEqualTo(JsonMasker.PLACEHOLDER);
    }

    @Test
    void kindAfterDataIsHeldBackThenMasked() {
        String in = j("{'data':{'a':'c2VjcmV0'},'metadata':{'name':'x'},'stringData':{'b':'s'},'kind':'Secret','type':'Opaque'}");
        JsonMasker m = masker();
        assertThat(tree(mask(m, in))).isEqualTo(tree(
                j("{'data':{'a':'Kioq'},'metadata':{'name':'x'},'stringData':{'b':'***'},'kind':'Secret','type':'Opaque'}")));
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void kindAfterDataOfAConfigMapKeepsItsPlainKeys() {
        String in = j("{'data':{'password':'p','color':'blue'},'kind':'ConfigMap'}");
        assertThat(tree(mask(masker(), in))).isEqualTo(tree(j("{'data':{'password':'***','color':'blue'},'kind':'ConfigMap'}")));
    }

    @Test
    void objectWithoutKindHasItsDataMasked() {
        assertThat(tree(mask(masker(), j("{'data':{'a':'b'}}")))).isEqualTo(tree(j("{'data':{'a':'Kioq'}}")));
    }

    @Test
    void heldBackFieldsOverTheCapAreMaskedAsSecret() {
        String big = "x".repeat(JsonMasker.DEFER_CAP / 4);
        StringBuilder sb = new StringBuilder("{\"data\":{");
        for (int i = 0; i < 8; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append(big).append('"');
        }
        sb.append("},\"kind\":\"ConfigMap\"}");
        JsonMasker m = masker();
        JsonNode out = tree(mask(m, sb.toString()));
        assertThat(out.get("data").size()).isEqualTo(8);
        out.get("data").forEach(v -> assertThat(v.asText()).isEqualTo("Kioq"));
        assertThat(m.maskedCount()).isEqualTo(8);
    }

    @Test
    void secretListItemsAreMaskedByTheListKind() {
        String in = j("{'kind':'SecretList','apiVersion':'v1','metadata':{'resourceVersion':'7'},'items':["
                + "{'metadata':{'name':'a'},'data':{'k':'dmFs'},'type':'Opaque'},"
                + "{'metadata':{'name':'b'},'data':{'k2':'dmFs'}}]}");
        JsonMasker m = masker();
        assertThat(tree(mask(m, in))).isEqualTo(tree(j("{'kind':'SecretList','apiVersion':'v1','metadata':{'resourceVersion':'7'},'items':["
                + "{'metadata':{'name':'a'},'data':{'k':'Kioq'},'type':'Opaque'},"
                + "{'metadata':{'name':'b'},'data':{'k2':'Kioq'}}]}")));
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void listItemsBeforeTheListKindAreMaskedConservatively() {
        String in = j("{'items':[{'data':{'k':'dmFs'}}],'kind':'SecretList'}");
        assertThat(tree(mask(masker(), in))).isEqualTo(tree(j("{'items':[{'data':{'k':'Kioq'}}],'kind':'SecretList'}")));
    }

    @Test
    void mixedListMasksEachItemByItsOwnKind() {
        String in = j("""
                {'kind':'List','apiVersion':'v1','items':[
                 {'kind':'Secret','data':{'a':'YQ=='}},
                 {'kind':'ConfigMap','data':{'db_password':'pw','color':'blue'},'binaryData':{'apiKey':'AAE=','logo':'AAE='}},
                 {'kind':'Pod','spec':{'containers':[{'name':'c','env':[{'name':'API_TOKEN','value':'tok'},{'name':'MODE','value':'fast'}]}]}},
                 {'kind':'Service','spec':{'data':{'x':'y'}}}]}""");
        JsonMasker m = masker();
        assertThat(tree(mask(m, in))).isEqualTo(tree(j("""
                {'kind':'List','apiVersion':'v1','items':[
                 {'kind':'Secret','data':{'a':'Kioq'}},
                 {'kind':'ConfigMap','data':{'db_password':'***','color':'blue'},'binaryData':{'apiKey':'Kioq','logo':'AAE='}},
                 {'kind':'Pod','spec':{'containers':[{'name':'c','env':[{'name':'API_TOKEN','value':'***'},{'name':'MODE','value':'fast'}]}]}},
                 {'kind':'Service','spec':{'data':{'x':'y'}}}]}""")));
        assertThat(m.maskedCount()).isEqualTo(4);
    }

    @Test
    void tableRowsWithObjectsAreMasked() {
        String in = j("""
                {'kind':'Table','apiVersion':'meta.k8s.io/v1','columnDefinitions':[{'name':'Name','type':'string'}],
                 'rows':[{'cells':['db','Opaque',2],'object':{'kind':'Secret','apiVersion':'v1','metadata':{'name':'db'},'data':{'p':'cA=='}}},
                         {'cells':['x'],'object':{'kind':'PartialObjectMetadata','metadata':{'name':'x'}}}]}""");
        String out = mask(masker(), in);
        JsonNode expected = tree(in);
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected.at("/rows/0/object/data")).put("p", "Kioq");
        assertThat(tree(out)).isEqualTo(expected);
    }

    @Test
    void watchEventsAreEmittedOneByOneAsTheyComplete() {
        JsonMasker m = new JsonMasker(RULES, ResourceHint.SECRETS);
        String e1 = j("{'type':'ADDED','object':{'kind':'Secret','metadata':{'name':'a'},'data':{'k':'c2VjcmV0MQ=='}}}\n");
        String e2 = j("{'type':'MODIFIED','object':{'kind':'Secret','metadata':{'name':'a'},'data':{'k':'c2VjcmV0Mg=='}}}\n");
        String out1 = str(m.feed(utf8(e1 + e2.substring(0, 5))));
        assertThat(out1).contains("\"ADDED\"").doesNotContain("MODIFIED", "c2VjcmV0");
        assertThat(tree(out1.split("\n")[0])).isEqualTo(tree(j("{'type':'ADDED','object':{'kind':'Secret','metadata':{'name':'a'},'data':{'k':'Kioq'}}}")));
        String out2 = str(m.feed(utf8(e2.substring(5)))) + str(m.finish());
        assertThat(out2).endsWith("\n").contains("MODIFIED").doesNotContain("c2VjcmV0");
        assertThat(m.maskedCount()).isEqualTo(2);
    }

    @Test
    void watchOfTablesMasksRowObjects() {
        String ev = j("{'type':'ADDED','object':{'kind':'Table','rows':[{'cells':[],'object':{'kind':'Secret','data':{'k':'dg=='}}}]}}\n");
        String out = mask(masker(), ev + ev);
        assertThat(out.split("\n")).hasSize(2).allSatisfy(l -> assertThat(l).contains("Kioq").doesNotContain("dg=="));
    }

    @Test
    void rootArraysAndScalars() {
        assertThat(mask(masker(), j("[{'kind':'Secret','data':{'k':'dmFs'}},1,'x']"))).doesNotContain("dmFs").contains("Kioq");
        assertThat(mask(masker(), "42 \"s\" null")).isEqualTo("42\n\"s\"\nnull\n");
    }

    @Test
    void hintSecretsMasksWhateverTheKindSays() {
        String in = j("{'kind':'Whatever','data':{'k':'dmFs'},'stringData':{'s':'v'}}");
        JsonMasker m = new JsonMasker(RULES, ResourceHint.SECRETS);
        assertThat(tree(mask(m, in))).isEqualTo(tree(j("{'kind':'Whatever','data':{'k':'Kioq'},'stringData':{'s':'***'}}")));
    }

    @Test
    void secretsFalseLeavesSecretsAlone() {
        MaskRules none = new MaskRules(false, List.of(), List.of());
        assertThat(tree(mask(new JsonMasker(none, ResourceHint.NONE), SECRET))).isEqualTo(tree(SECRET));
    }

    @Test
    void nonStringSecretValuesAreMaskedNullStaysNull() {
        String in = j("{'kind':'Secret','data':{'a':1,'b':true,'c':null,'d':{'x':['y',2]},'e':['z']},'stringData':['q']}");
        JsonMasker m = masker();
        assertThat(tree(mask(m, in))).isEqualTo(tree(
                j("{'kind':'Secret','data':{'a':'Kioq','b':'Kioq','c':null,'d':{'x':['Kioq','Kioq']},'e':['Kioq']},'stringData':['***']}")));
        assertThat(m.maskedCount()).isEqualTo(6);
    }

    @Test
    void envValuesInEveryWorkloadShape() {
        String env = "'env':[{'name':'DB_PASSWORD','value':'pw'},{'name':'PORT','value':'80'},{'value':'late','name':'SECRET_KEY'},"
                + "{'name':'FROM_REF','valueFrom':{'secretKeyRef':{'name':'s','key':'k'}}}]";
        String masked = "'env':[{'name':'DB_PASSWORD','value':'***'},{'name':'PORT','value':'80'},{'value':'***','name':'SECRET_KEY'},"
                + "{'name':'FROM_REF','valueFrom':{'secretKeyRef':{'name':'s','key':'k'}}}]";
        for (String shape : List.of(
                "{'kind':'Pod','spec':{'containers':[{'name':'c',%s}]}}",
                "{'kind':'Pod','spec':{'initContainers':[{'name':'c',%s}],'ephemeralContainers':[{'name':'d',%s}]}}",
                "{'kind':'Deployment','spec':{'template':{'spec':{'containers':[{'name':'c',%s}]}}}}",
                "{'kind':'CronJob','spec':{'jobTemplate':{'spec':{'template':{'spec':{'containers':[{%s}]}}}}}}",
                "{'kind':'PodTemplate','template':{'spec':{'containers':[{%s}]}}}",
                "{'kind':'Rollout','apiVersion':'argoproj.io/v1alpha1','spec':{'template':{'spec':{'containers':[{%s}]}}}}")) {
            String in = j(shape.replace("%s", env));
            JsonMasker m = masker();
            assertThat(tree(mask(m, in))).as(shape).isEqualTo(tree(j(shape.replace("%s", masked))));
            assertThat(m.maskedCount()).isEqualTo(shape.split("%s").length == 3 ? 4 : 2);
        }
    }

    @Test
    void envOutsideContainersIsData() {
        String in = j("{'kind':'Foo','spec':{'env':[{'name':'PASSWORD','value':'v'}]}}");
        assertThat(tree(mask(masker(), in))).isEqualTo(tree(in));
    }

    @Test
    void envDuplicateNamesAnyMatchMasks() {
        String in = j("{'spec':{'containers':[{'env':[{'name':'PORT','value':'v','name':'PASSWORD'},{'name':'A','value':'1','value':'2'}]}]}}");
        String out = mask(masker(), in);
        assertThat(out).doesNotContain("\"v\"").contains("\"1\"", "\"2\"");
    }

    @Test
    void unicodeEscapesInKeysAndKindAreDecoded() {
        String in = "{\"\\u006bind\":\"Sec\\u0072et\",\"d\\u0061ta\":{\"k\":\"dmFs\"},\"str\\u0069ngData\":{\"\\u00e9\":\"v\"}}";
        String out = mask(masker(), in);
        assertThat(tree(out)).isEqualTo(tree("{\"kind\":\"Secret\",\"data\":{\"k\":\"Kioq\"},\"stringData\":{\"é\":\"***\"}}"));
        assertThat(out).doesNotContain("dmFs");
        String env = "{\"spec\":{\"cont\\u0061iners\":[{\"\\u0065nv\":[{\"n\\u0061me\":\"PASS\",\"v\\u0061lue\":\"x1\"}]}]}}";
        assertThat(mask(masker(), env)).doesNotContain("x1");
    }

    @Test
    void duplicateKeys() {
        assertThatThrownBy(() -> mask(masker(), j("{'kind':'ConfigMap','data':{'a':'b'},'kind':'Secret'}")))
                .isInstanceOf(MaskingException.class).hasMessageContaining("two different kinds");
        String two = mask(masker(), j("{'kind':'Secret','data':{'a':'x1'},'data':{'a':'x2','a':'x3'}}"));
        assertThat(two).doesNotContain("x1", "x2", "x3");
        String same = mask(masker(), j("{'kind':'Secret','kind':'Secret','data':{'a':'x1'}}"));
        assertThat(same).doesNotContain("x1");
    }

    @Test
    void lastAppliedConfiguration() {
        String secretAnn = "{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Secret\\\",\\\"stringData\\\":{\\\"pw\\\":\\\"hunter2\\\"}}";
        String secret = "{\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"" + secretAnn + "\",\"x\":\"y\"}},\"data\":{}}";
        String out = mask(masker(), secret);
        assertThat(tree(out).at("/metadata/annotations").get(JsonMasker.LAST_APPLIED).asText()).isEqualTo("***");
        assertThat(tree(out).at("/metadata/annotations/x").asText()).isEqualTo("y");

        // kind after metadata: the annotation's own kind still masks what it holds
        String late = "{\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"" + secretAnn + "\"}},\"kind\":\"Secret\"}";
        assertThat(mask(masker(), late)).doesNotContain("hunter2");

        String cmAnn = "{\\\"kind\\\":\\\"ConfigMap\\\",\\\"data\\\":{\\\"api_key\\\":\\\"k1\\\",\\\"color\\\":\\\"red\\\"}}";
        String cm = "{\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"" + cmAnn + "\"}},\"data\":{\"api_key\":\"k1\"}}";
        JsonMasker m = masker();
        JsonNode o = tree(mask(m, cm));
        assertThat(tree(o.at("/metadata/annotations").get(JsonMasker.LAST_APPLIED).asText()))
                .isEqualTo(tree(j("{'kind':'ConfigMap','data':{'api_key':'***','color':'red'}}")));
        assertThat(m.maskedCount()).isEqualTo(2);

        String depAnn = "{\\\"kind\\\":\\\"Deployment\\\",\\\"spec\\\":{\\\"template\\\":{\\\"spec\\\":{\\\"containers\\\":[{\\\"env\\\":[{\\\"name\\\":\\\"TOKEN\\\",\\\"value\\\":\\\"t1\\\"}]}]}}}}";
        String dep = "{\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"" + depAnn + "\"}}}";
        assertThat(mask(masker(), dep)).doesNotContain("t1");

        String plain = "{\"kind\":\"Service\",\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"{\\\"kind\\\":\\\"Service\\\"}\"}}}";
        assertThat(tree(mask(masker(), plain))).isEqualTo(tree(plain));

        String notJson = "{\"kind\":\"Service\",\"metadata\":{\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"password=x {\"}}}";
        assertThat(mask(masker(), notJson)).doesNotContain("password=x");
    }

    /** kubectl get's default Table: rows carry PartialObjectMetadata, whose annotations may hold the whole Secret. */
    @Test
    void tableRowsWithPartialObjectMetadataOfSecrets() {
        String ann = "{\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":{\\\"pw\\\":\\\"aHVudGVyMg==\\\"}}";
        String table = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"columnDefinitions\":[{\"name\":\"Name\"}],"
                + "\"rows\":[{\"cells\":[\"db\",\"Opaque\",1],\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"db\",\"annotations\":{\"" + JsonMasker.LAST_APPLIED + "\":\"" + ann + "\"}}}}]}";
        for (ResourceHint hint : ResourceHint.values()) {
            String out = mask(new JsonMasker(RULES, hint), table);
            assertThat(out).as("hint %s", hint).doesNotContain("aHVudGVyMg").contains("\"cells\":[\"db\",\"Opaque\",1]");
        }
    }

    @Test
    void deepNestingUpToTheLimitWorksBeyondFailsClosed() {
        int ok = JsonMasker.MAX_DEPTH - 10;
        String deep = "{\"kind\":\"Secret\",\"data\":{\"k\":" + "[".repeat(ok) + "\"v1\"" + "]".repeat(ok) + "}}";
        String out = mask(masker(), deep);
        assertThat(out).doesNotContain("v1").contains("Kioq");
        String tooDeep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> mask(masker(), tooDeep)).isInstanceOf(MaskingException.class);
    }

    @Test
    void hugeStrings() {
        String huge = "A".repeat(10 << 20);
        JsonMasker m = masker();
        String out = mask(m, "{\"kind\":\"Secret\",\"data\":{\"big\":\"" + huge + "\"}}");
        assertThat(out.length()).isLessThan(100);
        assertThat(m.maskedCount()).isEqualTo(1);
        String cm = "{\"kind\":\"ConfigMap\",\"data\":{\"big\":\"" + huge + "\"}}";
        assertThat(mask(masker(), cm).length()).isGreaterThan(10 << 20);
        // held back (kind after data) and over the cap: masked
        assertThat(mask(masker(), "{\"data\":{\"big\":\"" + huge + "\"},\"kind\":\"ConfigMap\"}")).doesNotContain("AAAA");
        String tooBig = "{\"a\":\"" + "A".repeat(JsonMasker.MAX_TOKEN_CHARS + 1) + "\"}";
        assertThatThrownBy(() -> mask(masker(), tooBig)).isInstanceOf(MaskingException.class);
    }

    @Test
    void invalidOrTruncatedInputFailsClosed() {
        assertThatThrownBy(() -> mask(masker(), "{\"kind\":\"Secret\",\"data\":{\"a\":\"b\"}")).isInstanceOf(MaskingException.class);
        assertThatThrownBy(() -> mask(masker(), "{\"a\" \"b\"}")).isInstanceOf(MaskingException.class);
        JsonMasker m = masker();
        assertThatThrownBy(() -> m.feed(utf8("{]"))).isInstanceOf(MaskingException.class);
        assertThatThrownBy(() -> m.feed(utf8("{}"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void numbersAndEscapesSurviveSemantically() {
        String in = "{\"kind\":\"Foo\",\"n\":[1,-0,1.50,1e400,12345678901234567890123],\"s\":\"\\u2028 \\\" \\\\ é 😀\\n\"}";
        String out = mask(masker(), in);
        assertThat(tree(out)).isEqualTo(tree(in));
        assertThat(out).contains("1.50", "1e400", "12345678901234567890123");
    }

    @Test
    void everySplitPointGivesTheSameOutput() {
        String in = j("""
                {'kind':'List','items':[{'kind':'Secret','metadata':{'name':'é😀'},'data':{'k':'c2VjcmV0'},'stringData':{'ünï':'pässwörd😀'}},
                 {'data':{'password':'x'},'kind':'ConfigMap'},
                 {'kind':'Pod','spec':{'containers':[{'env':[{'value':'tok\\u00e9n','name':'TOKEN'}]}]}}]}
                {'type':'ADDED','object':{'kind':'Secret','data':{'\\u0061':'YWJj'}}}""");
        byte[] bytes = utf8(in);
        String whole = mask(masker(), in);
        assertThat(whole).doesNotContain("c2VjcmV0", "pässwörd", "YWJj", "tok");
        for (int i = 0; i <= bytes.length; i++) {
            assertThat(maskSplit(masker(), bytes, i)).as("split at %d", i).isEqualTo(whole);
        }
        int[] every = new int[bytes.length - 1];
        for (int i = 0; i < every.length; i++) {
            every[i] = i + 1;
        }
        assertThat(maskSplit(masker(), bytes, every)).isEqualTo(whole);
    }

    @Test
    void keyPatternsComeFromTheRules() {
        MaskRules custom = new MaskRules(true, List.of(Pattern.compile("^color$")), List.of());
        String in = j("{'kind':'ConfigMap','data':{'color':'red','password':'p'}}");
        assertThat(tree(mask(new JsonMasker(custom, ResourceHint.NONE), in)))
                .isEqualTo(tree(j("{'kind':'ConfigMap','data':{'color':'***','password':'p'}}")));
    }
}
