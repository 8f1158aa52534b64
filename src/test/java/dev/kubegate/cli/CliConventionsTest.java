package dev.kubegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The command line speaks one dialect: {@code --token}/{@code --token-file} for credentials,
 * {@code -o table|json|yaml} for output, {@code --output-file} for a file to write; old spellings
 * still parse but are hidden. {@code version} prints this build's version; {@code completion bash}
 * is a script real bash completes with.
 */
class CliConventionsTest {

    static CommandLine cli() {
        return new CommandLine(new KubegateCommand());
    }

    /** Every command, by its full name ("kubegate sessions list"). */
    static Map<String, CommandLine> commands() {
        Map<String, CommandLine> all = new TreeMap<>();
        collect(cli(), all);
        return all;
    }

    private static void collect(CommandLine c, Map<String, CommandLine> into) {
        into.put(c.getCommandSpec().qualifiedName(), c);
        c.getSubcommands().values().forEach(s -> collect(s, into));
    }

    static List<String> visibleOptions(CommandLine c) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : c.getCommandSpec().options()) {
            if (!o.hidden()) names.addAll(List.of(o.names()));
        }
        return names;
    }

    @Test
    void credentialsAreTokenAndTokenFileEverywhere() {
        Map<String, CommandLine> all = commands();
        for (String name : List.of("kubegate sessions list", "kubegate sessions revoke", "kubegate approvals list",
                "kubegate approvals approve", "kubegate approvals deny", "kubegate kubeconfig", "kubegate login")) {
            assertThat(visibleOptions(all.get(name))).as(name).contains("--token", "--token-file");
        }
        all.forEach((name, c) -> assertThat(visibleOptions(c)).as(name)
                .noneMatch(o -> o.contains("admin-token") || o.equals("--json") || o.equals("--output-path")));
    }

    @Test
    void minusOIsAlwaysAnOutputFormat() {
        Map<String, CommandLine> all = commands();
        List<String> withOutput = new ArrayList<>();
        all.forEach((name, c) -> {
            OptionSpec o = c.getCommandSpec().findOption("-o");
            if (o == null) return;
            withOutput.add(name);
            assertThat(o.longestName()).as(name).isEqualTo("--output");
            assertThat(o.paramLabel()).as(name).isEqualTo("FORMAT");
            List<String> candidates = new ArrayList<>();
            o.completionCandidates().forEach(candidates::add);
            assertThat(candidates).as(name).isNotEmpty().isSubsetOf("table", "json", "yaml").contains("json", "yaml");
        });
        assertThat(withOutput).contains("kubegate sessions list", "kubegate approvals list", "kubegate audit verify",
                "kubegate version", "kubegate kubeconfig");
        for (String name : List.of("kubegate sessions list", "kubegate approvals list", "kubegate audit verify", "kubegate version")) {
            assertThat(all.get(name).getCommandSpec().findOption("-o").type()).as(name).isEqualTo(OutputFormat.class);
        }
        // a value outside the set is refused by the parser itself
        assertThatThrownBy(() -> cli().parseArgs("sessions", "list", "-o", "xml"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("xml");
        CommandLine.ParseResult r = cli().parseArgs("approvals", "list", "-o", "yaml", "--token-file", "t");
        ApprovalsCommand.ListCommand list = (ApprovalsCommand.ListCommand) r.subcommand().subcommand().commandSpec().userObject();
        assertThat(list.output.format).isEqualTo(OutputFormat.yaml);
        assertThat(list.api.tokenFile).isEqualTo(Path.of("t"));
    }

    @Test
    void theKubeconfigIsWrittenWithOutputFileAndPrintedAsYamlOrJson() {
        KubeconfigCommand k = kubeconfig("--token", "t", "--output-file", "agent.kubeconfig", "-o", "json");
        assertThat(k.output).isEqualTo(Path.of("agent.kubeconfig"));
        assertThat(k.format).isEqualTo(OutputFormat.json);
        assertThat(kubeconfig("--token", "t").format).isEqualTo(OutputFormat.yaml);
        assertThatThrownBy(() -> cli().parseArgs("kubeconfig", "-o", "table"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("no table form");
    }

    static KubeconfigCommand kubeconfig(String... args) {
        List<String> all = new ArrayList<>(List.of("kubeconfig"));
        all.addAll(List.of(args));
        return (KubeconfigCommand) cli().parseArgs(all.toArray(String[]::new)).subcommand().commandSpec().userObject();
    }

    @Test
    void oldSpellingsStillWorkButSayWhatReplacesThem() {
        String err = stderrOf(() -> {
            CommandLine.ParseResult r = cli().parseArgs("sessions", "list", "--admin-token", "secret");
            SessionsCommand.List l = (SessionsCommand.List) r.subcommand().subcommand().commandSpec().userObject();
            assertThat(l.admin.adminToken).isEqualTo("secret");
            r = cli().parseArgs("sessions", "revoke", "id-1", "--admin-token-file", "admin.token");
            assertThat(((SessionsCommand.Revoke) r.subcommand().subcommand().commandSpec().userObject()).admin.adminTokenFile)
                    .isEqualTo(Path.of("admin.token"));
            r = cli().parseArgs("audit", "verify", "data/audit", "--json");
            assertThat(((AuditVerifyCommand) r.subcommand().subcommand().commandSpec().userObject()).format())
                    .isEqualTo(OutputFormat.json);
            assertThat(kubeconfig("--token", "t", "-o", "agent.kubeconfig").output).isEqualTo(Path.of("agent.kubeconfig"));
        });
        assertThat(err).contains("--admin-token is deprecated; use --token", "--admin-token-file is deprecated; use --token-file",
                "--json is deprecated; use -o json", "-o FILE is deprecated; use --output-file FILE");
        // and they are not offered in help
        String help = cli().getSubcommands().get("sessions").getSubcommands().get("list").getUsageMessage();
        assertThat(help).contains("--token-file").doesNotContain("--admin-token");
    }

    @Test
    void versionIsThisBuildsVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>kubegate</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).isTrue();
        String version = m.group(1);

        Run plain = execute("version");
        assertThat(plain.code).isZero();
        assertThat(plain.out).startsWith("kubegate " + version + " (built ").contains("Java " + System.getProperty("java.version"));
        Run json = execute("version", "-o", "json");
        JsonNode v = new ObjectMapper().readTree(json.out);
        assertThat(v.path("version").asText()).isEqualTo(version);
        assertThat(v.path("built").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(execute("version", "-o", "yaml").out).contains("version: " + version);
        assertThat(execute("--version").out.strip()).isEqualTo("kubegate " + version);
    }

    @Test
    void bashCompletesCommandsOptionsAndOutputFormats(@TempDir Path dir) throws Exception {
        Run bash = execute("completion", "bash");
        assertThat(bash.code).isZero();
        assertThat(execute("completion", "zsh").out).isEqualTo(bash.out).contains("bashcompinit");
        assertThat(execute("completion", "fish").code).isNotZero();
        Path script = dir.resolve("kubegate-completion.bash");
        Files.writeString(script, bash.out);

        assertThat(complete(script, "kubegate", "sess")).containsExactly("sessions");
        assertThat(complete(script, "kubegate", "")).contains("serve", "kubeconfig", "login", "sessions", "approvals", "audit",
                "version", "completion");
        assertThat(complete(script, "kubegate", "sessions", "list", "-o", "")).containsExactlyInAnyOrder("table", "json", "yaml");
        assertThat(complete(script, "kubegate", "sessions", "list", "--tok")).containsExactlyInAnyOrder("--token", "--token-file");
        assertThat(complete(script, "kubegate", "kubeconfig", "--output-")).containsExactly("--output-file");
        assertThat(complete(script, "kubegate", "completion", "")).containsExactlyInAnyOrder("bash", "zsh");
        assertThat(complete(script, "kubegate", "sessions", "list", "--adm")).isEmpty(); // hidden aliases are not offered
    }

    /** What real bash offers after {@code words} (the last one being completed), with the generated script loaded. */
    static List<String> complete(Path script, String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String w : words) array.append('\'').append(w).append("' ");
        String cmd = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + String.join(" ", words) + "'; COMP_POINT=${#COMP_LINE}; _complete_kubegate; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"";
        // (compopt complains outside a real completion; its message goes to stderr, discarded)
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    record Run(int code, String out) {
    }

    static Run execute(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CommandLine c = cli();
            c.setOut(new java.io.PrintWriter(System.out, true));
            code = c.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Run(code, buf.toString(StandardCharsets.UTF_8));
    }

    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
