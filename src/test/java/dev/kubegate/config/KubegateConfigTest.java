package dev.kubegate.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The typed settings as SmallRye Config reads them at start-up (the same mapping Quarkus validates
 * before the application starts): documented defaults, accepted spellings, and a refusal naming the
 * key for a malformed value.
 */
class KubegateConfigTest {

    static KubegateConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 400))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(KubegateConfig.class).build()
                .getConfigMapping(KubegateConfig.class);
    }

    /** The problems start-up would report, one message each. */
    static List<String> refusal(Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        assertThatThrownBy(() -> config(properties)).isInstanceOfSatisfying(ConfigValidationException.class, e -> {
            for (int i = 0; i < e.getProblemCount(); i++) {
                problems.add(e.getProblem(i).getMessage());
            }
        });
        return problems;
    }

    @Test
    void documentedDefaults() {
        KubegateConfig c = config(Map.of());
        assertThat(c.audit().fsync()).isEqualTo(new AuditFsync(AuditFsync.Mode.ALWAYS, Duration.ZERO));
        assertThat(c.audit().sink()).isEqualTo(KubegateConfig.Audit.Sink.FILE);
        assertThat(c.audit().segmentSize().bytes()).isEqualTo(64L << 20);
        assertThat(c.limits().maxRequestBody().bytes()).isEqualTo(3L << 20);
        assertThat(c.store()).isEqualTo(KubegateConfig.StoreKind.EMBEDDED);
        assertThat(c.approval().webhookUrl()).isEmpty();
        assertThat(c.audit().playbooks().webhook()).isEmpty();
        assertThat(c.audit().s3().endpoint()).isEmpty();
        assertThat(c.identity().aws().stsEndpoint()).isEmpty();
    }

    @Test
    void fsyncSpellings() {
        assertThat(config(Map.of("kubegate.audit.fsync", "never")).audit().fsync().mode()).isEqualTo(AuditFsync.Mode.NEVER);
        assertThat(config(Map.of("kubegate.audit.fsync", "batch(7ms)")).audit().fsync())
                .isEqualTo(new AuditFsync(AuditFsync.Mode.BATCH, Duration.ofMillis(7)));
        assertThat(config(Map.of("kubegate.audit.fsync", " Batch ")).audit().fsync())
                .isEqualTo(new AuditFsync(AuditFsync.Mode.BATCH, Duration.ofMillis(5)));
        assertThat(AuditFsync.of("batch(12ms)")).hasToString("batch(12ms)");
    }

    @Test
    void urlsAreReadOnce() {
        KubegateConfig c = config(Map.of("kubegate.approval.webhook-url", "https://hooks.example/T1/B2",
                "kubegate.audit.s3.endpoint", "http://127.0.0.1:9000"));
        assertThat(c.approval().webhookUrl()).contains(URI.create("https://hooks.example/T1/B2"));
        assertThat(c.audit().s3().endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void aMalformedValueStopsStartUpNamingTheKey() {
        assertThat(refusal(Map.of("kubegate.audit.fsync", "sometimes")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.audit.fsync").contains("always, never or batch(<n>ms)")
                        .contains("sometimes"));
        assertThat(refusal(Map.of("kubegate.audit.fsync", "batch(fast)")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.audit.fsync"));
        assertThat(refusal(Map.of("kubegate.audit.sink", "ftp")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.audit.sink").contains("ftp"));
        assertThat(refusal(Map.of("kubegate.limits.max-request-body", "lots")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.limits.max-request-body").contains("3Mi"));
        assertThat(refusal(Map.of("kubegate.approval.webhook-url", "hooks.example/T1")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.approval.webhook-url").contains("http(s) URL"));
        assertThat(refusal(Map.of("kubegate.audit.playbooks.webhook", "https://exa mple/")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.audit.playbooks.webhook").contains("not a URL"));
        assertThat(refusal(Map.of("kubegate.identity.aws.sts-endpoint", "ftp://sts.local")))
                .anySatisfy(m -> assertThat(m).contains("kubegate.identity.aws.sts-endpoint"));
    }
}
