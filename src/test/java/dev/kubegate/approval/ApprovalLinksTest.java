package dev.kubegate.approval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApprovalLinksTest {

    @Test
    void thePublicUrlWinsThenTheCertificatesConfiguredNamesElseNothing() {
        assertThat(ApprovalLinks.choose(Optional.of("https://kubegate.example.com/"), List.of("other.example"), List.of(), 8443))
                .contains("https://kubegate.example.com");
        assertThat(ApprovalLinks.choose(Optional.empty(), List.of("127.0.0.1", "localhost", "*.example.com", "10.0.0.5", "gate.example.com"),
                List.of(), 8443)).contains("https://gate.example.com:8443");
        assertThat(ApprovalLinks.choose(Optional.empty(), List.of("10.0.0.5"), List.of(), 443)).contains("https://10.0.0.5");
        assertThat(ApprovalLinks.choose(Optional.empty(), List.of(), List.of("nlb.example.com"), 443)).contains("https://nlb.example.com");
        assertThat(ApprovalLinks.choose(Optional.empty(), List.of("bad name/with path"), List.of(), 8443)).isEmpty();
        assertThat(ApprovalLinks.choose(Optional.empty(), List.of(), List.of(), 8443)).isEmpty();
        assertThat(ApprovalLinks.command("ap-abcdefghjk")).isEqualTo("kubegate approvals approve ap-abcdefghjk");
    }
}
