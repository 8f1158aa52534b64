package dev.kubegate.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build, from {@code kubegate-version.properties} (filled in by Maven resource
 * filtering): for {@code kubegate --version} and {@code kubegate version}.
 */
public class VersionProvider implements CommandLine.IVersionProvider {

    static final String RESOURCE = "/kubegate-version.properties";

    /** {@code version} and {@code built} of this build; "dev" when run from sources that were not built. */
    static Properties build() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (p.getProperty("version", "").isEmpty() || p.getProperty("version").startsWith("${")) {
            p.setProperty("version", "dev");
        }
        return p;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"kubegate " + build().getProperty("version")};
    }
}
