package dev.kubegate.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** What an answer's masking hides, taken out of the texts the API server writes about the object. */
class HiddenValuesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatTheMaskedFormDoesNotShowIsHiddenInEveryForm() throws Exception {
        JsonNode raw = json("{'metadata':{'name':'db'},'data':{'password':'" + b64("S3cr3tP4ssw0rd-XYZ") + "','user':'" + b64("admin") + "'}}");
        JsonNode masked = json("{'metadata':{'name':'db'},'data':{'password':'Kioq','user':'Kioq'}}");
        SecretValues hidden = HiddenValues.of(raw, masked);
        String message = "the name of the object (" + b64("S3cr3tP4ssw0rd-XYZ") + ") does not match the name on the URL (db); "
                + "decoded S3cr3tP4ssw0rd-XYZ; context {\"user\":\"" + b64("admin") + "\"}";
        String clean = hidden.redact(message, "***");
        assertThat(clean).doesNotContain(b64("S3cr3tP4ssw0rd-XYZ")).doesNotContain("S3cr3tP4ssw0rd-XYZ").doesNotContain(b64("admin"))
                .contains("the name of the object (***) does not match the name on the URL (db)");
    }

    @Test
    void shortValuesGoOnlyWhereTheyStandAlone() throws Exception {
        SecretValues hidden = HiddenValues.of(json("{'data':{'user':'admin'}}"), json("{'data':{'user':'***'}}"));
        assertThat(hidden.redact("user (admin) is not an administrator", "***")).isEqualTo("user (***) is not an administrator");
    }

    @Test
    void valuesShownAsTheyAreAreNotHidden() throws Exception {
        JsonNode same = json("{'metadata':{'name':'settings'},'data':{'color':'blue'}}");
        assertThat(HiddenValues.of(same, same.deepCopy()).isEmpty()).isTrue();
        assertThat(HiddenValues.of(same, same.deepCopy()).redact("color blue", "***")).isEqualTo("color blue");
    }
}
