package dev.kubegate.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

class PrerequisitesTest {

    /** Every JUnit way to skip a test without going through {@link Prerequisites}. */
    static final Pattern OTHER_SKIPS = Pattern.compile(
            "\\bAssumptions\\b|\\bassume(True|False|That)\\b|\\bassumingThat\\b|@Disabled|@Enabled|TestAbortedException");

    @Test
    void aMissingPrerequisiteFailsUnderRequireAll() {
        assertThatThrownBy(() -> Prerequisites.check(true, false, "haproxy (/usr/sbin/haproxy)"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("missing test prerequisite: haproxy (/usr/sbin/haproxy)")
                .hasMessageContaining(".ci/run");
    }

    @Test
    void aMissingPrerequisiteSkipsLoudlyOtherwise() {
        assertThatThrownBy(() -> Prerequisites.check(false, false, "chromium"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("SKIPPED: chromium");
    }

    @Test
    void aPresentPrerequisiteNeitherFailsNorSkips() {
        assertThatNoException().isThrownBy(() -> Prerequisites.check(true, true, "postgres"));
        assertThatNoException().isThrownBy(() -> Prerequisites.check(false, true, "postgres"));
    }

    @Test
    void switchingATestFamilyOffFailsUnderRequireAll() {
        String property = "kubegate.it.prerequisites-test-switch";
        System.setProperty(property, "false");
        try {
            if (Prerequisites.requireAll()) {
                assertThatThrownBy(() -> Prerequisites.unlessSwitchedOff(property, "the switch test"))
                        .isInstanceOf(AssertionError.class).hasMessageContaining("-D" + property + "=false");
            } else {
                assertThatThrownBy(() -> Prerequisites.unlessSwitchedOff(property, "the switch test"))
                        .isInstanceOf(TestAbortedException.class);
            }
            System.setProperty(property, "true");
            assertThatNoException().isThrownBy(() -> Prerequisites.unlessSwitchedOff(property, "the switch test"));
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void noTestSkipsAnyOtherWay() throws IOException {
        Path tests = Path.of("src/test/java");
        assertThat(tests).isDirectory();
        List<String> offenders;
        try (Stream<Path> files = Files.walk(tests)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.getFileName().toString().startsWith("Prerequisites"))
                    .flatMap(PrerequisitesTest::skips)
                    .toList();
        }
        assertThat(offenders).as("skip through Prerequisites.require / unlessSwitchedOff instead").isEmpty();
    }

    private static Stream<String> skips(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> OTHER_SKIPS.matcher(lines.get(i)).find())
                    .mapToObj(i -> file + ":" + (i + 1) + ": " + lines.get(i).strip());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
