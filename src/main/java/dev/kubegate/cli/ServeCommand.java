package dev.kubegate.cli;

import io.quarkus.runtime.Quarkus;
import picocli.CommandLine.Command;

/**
 * Runs the gateway. Settings come from {@code kubegate.*} system properties, environment variables
 * ({@code KUBEGATE_UPSTREAM_KUBECONFIG}, ...) and application.properties; start-up already happened
 * when this runs, so all that is left is to wait for the signal to stop.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the gateway (the default command).")
public class ServeCommand implements Runnable {

    @Override
    public void run() {
        Quarkus.waitForExit();
    }
}
