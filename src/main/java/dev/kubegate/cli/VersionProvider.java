package dev.kubegate.cli;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine;

public class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{"kubegate " + ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev")};
    }
}
