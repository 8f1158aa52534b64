package dev.kubegate;

import dev.kubegate.cli.KubegateCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * {@code kubegate <command>}. Only {@code serve} (also the default) opens the HTTP listener; the
 * client commands run the same application with the listener off and logs kept off standard
 * output, so {@code kubegate kubeconfig > file} writes just the kubeconfig.
 */
@QuarkusMain
public class KubegateMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        if (args.length > 0 && !"serve".equals(args[0])) {
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.log.console.json.enabled", "false");
            System.setProperty("quarkus.log.console.stderr", "true");
            System.setProperty("quarkus.log.level", System.getProperty("quarkus.log.level", "WARN"));
            System.setProperty("quarkus.banner.enabled", "false");
        }
        Quarkus.run(KubegateMain.class, args);
    }

    @Override
    public int run(String... args) {
        return new CommandLine(KubegateCommand.class, factory).execute(args.length == 0 ? new String[]{"serve"} : args);
    }
}
