package dev.kubegate.cli;

import picocli.CommandLine.Command;

@Command(name = "kubegate", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Access gateway between AI agents and Kubernetes clusters.",
        subcommands = {ServeCommand.class, KubeconfigCommand.class, LoginCommand.class, SessionsCommand.class,
                ApprovalsCommand.class, AuditCommand.class, RbacCheckCommand.class, VersionCommand.class,
                CompletionCommand.class})
public class KubegateCommand {
}
