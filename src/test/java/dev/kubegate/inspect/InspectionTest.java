package dev.kubegate.inspect;

import dev.kubegate.k8s.RequestInfo;
import dev.kubegate.k8s.RequestInfoParser;
import dev.kubegate.k8s.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InspectionTest {

    private final RequestInfo create = RequestInfoParser.parse("POST", "/api/v1/namespaces/apps/pods", "", false);
    private final RequestInfo patch = RequestInfoParser.parse("PATCH", "/api/v1/namespaces/apps/pods/web", "", false);

    @Test
    void aPatchWithoutContentTypeIsRefusedWithoutPrintingNull() {
        Status s = Inspection.unsupported(patch, "PATCH", null).status();
        assertThat(s.code()).isEqualTo(415);
        assertThat(s.message()).doesNotContain("null").contains("with no Content-Type; send one of application/apply-patch+yaml");
    }

    @Test
    void anUnreadableContentTypeIsQuoted() {
        assertThat(Inspection.unsupported(create, "POST", "text/plain").status().message())
                .contains("with Content-Type \"text/plain\"; send application/json (or no Content-Type)");
    }
}
