package dev.kubegate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code kubegate version [-o json|yaml]}: this build's version, and the Java runtime it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print the version of this kubegate build.")
public class VersionCommand implements Callable<Integer> {

    @Mixin
    OutputOption output;

    @Override
    public Integer call() throws Exception {
        Properties build = VersionProvider.build();
        Map<String, String> v = new LinkedHashMap<>();
        v.put("version", build.getProperty("version"));
        if (build.getProperty("built") != null && !build.getProperty("built").startsWith("${")) {
            v.put("built", build.getProperty("built"));
        }
        v.put("java", System.getProperty("java.version"));
        v.put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/" + System.getProperty("os.arch"));
        output.format.print(System.out, v, () -> System.out.println("kubegate " + v.get("version")
                + (v.containsKey("built") ? " (built " + v.get("built") + ")" : "") + ", Java " + v.get("java") + ", " + v.get("platform")));
        return 0;
    }
}
