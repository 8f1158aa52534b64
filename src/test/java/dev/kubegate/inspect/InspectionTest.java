package dev.kubegate.inspect;

import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InspectionTest {

    private final RequestInfo create = RequestInfoParser.parse("POST", "/api/v1/namespaces/apps/pods", "", false);

    @Test
    void aBodyWithoutContentTypeIsRefusedWithoutPrintingNull() {
        Status s = Inspection.unsupported(create, null);
        assertThat(s.code()).isEqualTo(415);
        assertThat(s.message()).doesNotContain("null")
                .startsWith("kubegate must inspect the body of create pods and cannot read a body without a Content-Type;");
    }

    @Test
    void anUnreadableContentTypeIsQuoted() {
        assertThat(Inspection.unsupported(create, "text/plain").message())
                .contains("cannot read Content-Type \"text/plain\"; send application/json");
    }
}
