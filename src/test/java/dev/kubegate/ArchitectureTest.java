package dev.kubegate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package table of docs/architecture.md ("Packages"), checked: each package depends only on the
 * packages its "may depend on" column names, so dependencies point down the table; the pure packages
 * use no framework. {@link #TABLE} is that table, and a test keeps the two the same: change
 * them together. Only kubegate's own (main) classes are checked; tests may reach anywhere. Plain
 * JUnit tests over one import, rather than ArchUnit's own engine, so they run wherever the other
 * unit tests run.
 */
class ArchitectureTest {

    private static final String ROOT = "dev.kubegate";

    /** One row of the table: a package (sub-packages included) and the packages it may depend on. */
    record Row(String pkg, List<String> mayDependOn) {
        Row(String pkg, String... mayDependOn) {
            this(pkg, List.of(mayDependOn));
        }
    }

    /** The table, top to bottom. The root package ({@code KubegateMain}, the native-image list) may use everything. */
    static final List<Row> TABLE = List.of(
            new Row("cli", "hatches", "trail", "audit", "tls", "upstream", "config"),
            new Row("hatches", "gateway", "identity", "upstream", "config"),
            new Row("admin", "gateway", "trail", "approval", "audit", "identity", "store", "upstream", "config", "k8s"),
            // store: elicitation answers cross replicas through it; tls: the loopback client trusts the served certificate
            new Row("mcp", "gateway", "trail", "approval", "inspect", "policy", "identity", "store", "tls", "config", "k8s"),
            new Row("gateway", "trail", "approval", "inspect", "policy", "identity", "upstream", "masking", "config", "k8s"),
            new Row("trail", "audit", "policy", "identity", "upstream", "masking", "config", "k8s"),
            new Row("approval", "inspect", "policy", "identity", "store", "audit", "masking", "config", "k8s"),
            new Row("inspect", "upstream", "k8s"),
            new Row("policy", "identity", "masking", "config", "k8s"),
            new Row("identity", "upstream", "store", "audit", "config", "k8s"),
            new Row("upstream", "masking", "config", "k8s"),
            new Row("store", "config", "k8s"),
            new Row("tls", "config"),
            new Row("config"),
            new Row("audit", "masking"),
            new Row("masking"),
            new Row("k8s"));

    /** Pure: usable from the CLI and plain unit tests, so no Vert.x, Quarkus, SmallRye or CDI. */
    static final List<String> PURE = List.of("audit", "masking", "k8s");

    private static final JavaClasses KUBEGATE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesOnlyPointDown() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("dev.kubegate").definedBy(ROOT);
        for (Row row : TABLE) {
            layers = layers.layer(row.pkg()).definedBy(inside(row.pkg()));
        }
        for (Row row : TABLE) {
            layers = row.mayDependOn().isEmpty()
                    ? layers.whereLayer(row.pkg()).mayNotAccessAnyLayer()
                    : layers.whereLayer(row.pkg()).mayOnlyAccessLayers(row.mayDependOn().toArray(String[]::new));
        }
        layers.check(KUBEGATE);
    }

    @Test
    void everyPackageIsInTheTable() {
        String[] known = TABLE.stream().map(row -> inside(row.pkg())).toArray(String[]::new);
        ArchRule rule = classes().that().resideOutsideOfPackage(ROOT)
                .should().resideInAnyPackage(known)
                .because("docs/architecture.md lists every package with what it may depend on");
        rule.check(KUBEGATE);
    }

    @Test
    void pureCoresStayFrameworkFree() {
        noClasses().that().resideInAnyPackage(PURE.stream().map(ArchitectureTest::inside).toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.quarkus..", "io.smallrye..",
                        "jakarta.enterprise..", "jakarta.inject..")
                .because("audit, masking and k8s are pure (docs/architecture.md)")
                .check(KUBEGATE);
    }

    /** Top-level packages form no cycle (a package and its sub-packages count as one). */
    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.kubegate.(*)..").should().beFreeOfCycles().check(KUBEGATE);
    }

    /** The table in the docs says what the rules above check. */
    @Test
    void theDocumentedTableIsTheCheckedOne() throws IOException {
        String doc = Files.readString(Path.of("docs/architecture.md"));
        String section = doc.substring(doc.indexOf("## Packages"), doc.indexOf("## Threading"));
        List<Row> documented = new ArrayList<>();
        Set<String> pure = new LinkedHashSet<>();
        Pattern row = Pattern.compile("(?m)^\\| `([a-z0-9./]+)` \\| (.*) \\| (.*) \\|$");
        Pattern name = Pattern.compile("`([a-z0-9]+)(?:/[a-z0-9]+)?`");
        for (Matcher m = row.matcher(section); m.find(); ) {
            if (m.group(1).equals(ROOT)) {
                continue;
            }
            Set<String> deps = new LinkedHashSet<>();
            for (Matcher n = name.matcher(m.group(3)); n.find(); ) {
                deps.add(n.group(1));
            }
            documented.add(new Row(m.group(1), List.copyOf(deps)));
            if (m.group(2).startsWith("**pure**")) {
                pure.add(m.group(1));
            }
        }
        assertThat(documented).containsExactlyElementsOf(TABLE);
        assertThat(pure).containsExactlyElementsOf(PURE);
    }

    /** Each package states its contract (what may block, who owns buffers) in a package-info.java. */
    @Test
    void everyPackageHasAPackageInfo() throws IOException {
        Path main = Path.of("src/main/java/dev/kubegate");
        List<Path> without;
        try (var dirs = Files.walk(main)) {
            without = dirs.filter(Files::isDirectory)
                    .filter(d -> hasJava(d) && !Files.exists(d.resolve("package-info.java"))).toList();
        }
        assertThat(without).as("packages without package-info.java").isEmpty();
    }

    /** The gateway's package-info lists the steps in the order {@code KubeApiGateway#steps} runs them. */
    @Test
    void theGatewaysPackageInfoListsItsSteps() throws IOException {
        String gateway = Files.readString(Path.of("src/main/java/dev/kubegate/gateway/KubeApiGateway.java"));
        String steps = gateway.substring(gateway.indexOf("List.of(", gateway.indexOf("List<Step> steps(")));
        steps = steps.substring(0, steps.indexOf(");"));
        List<String> inCode = new ArrayList<>();
        for (Matcher m = Pattern.compile("new ([A-Z]\\w+)\\(").matcher(steps); m.find(); ) {
            inCode.add(m.group(1));
        }
        String info = Files.readString(Path.of("src/main/java/dev/kubegate/gateway/package-info.java"));
        List<String> documented = new ArrayList<>();
        for (Matcher m = Pattern.compile("<li>\\{@link dev\\.kubegate\\.gateway\\.([A-Z]\\w+)}").matcher(info); m.find(); ) {
            documented.add(m.group(1));
        }
        assertThat(inCode).hasSizeGreaterThan(5);
        assertThat(documented).containsExactlyElementsOf(inCode);
    }

    private static boolean hasJava(Path dir) {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String inside(String pkg) {
        return ROOT + "." + pkg + "..";
    }
}
