package dev.kubegate.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Masked Secret values all look alike: a replaced one is marked, so the approver sees that it changes. */
class ApprovalGateMaskingTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void replacedValuesAreMarkedAndOthersKeepTheirMask() throws Exception {
        JsonNode before = json("{'data':{'a':'MQ==','b':'Mg=='}}");
        JsonNode after = json("{'data':{'a':'MQ==','b':'Mw==','c':'NA=='}}");
        JsonNode masked = json("{'data':{'a':'Kioq','b':'Kioq','c':'Kioq'}}");
        ApprovalGate.markChangedValues(before, after, masked);
        assertThat(masked.at("/data/a").asText()).isEqualTo("Kioq");
        assertThat(masked.at("/data/b").asText()).isEqualTo(ApprovalGate.CHANGED_VALUE);
        assertThat(masked.at("/data/c").asText()).isEqualTo("Kioq"); // added: the diff shows it as added
        ApprovalGate.markChangedValues(null, after, masked); // a create: nothing to compare
    }

    @Test
    void valuesShownAsTheyAreAreNotMarked() throws Exception {
        JsonNode before = json("{'data':{'threads':'4'}}");
        JsonNode after = json("{'data':{'threads':'64'}}");
        JsonNode shown = json("{'data':{'threads':'64'}}"); // a ConfigMap: nothing masked
        ApprovalGate.markChangedValues(before, after, shown);
        assertThat(shown.at("/data/threads").asText()).isEqualTo("64");
    }
}
