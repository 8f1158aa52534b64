package dev.kubegate.cli;

import picocli.CommandLine.Command;

/** {@code kubegate audit verify|replay}. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Check and read the audit log.",
        subcommands = {AuditVerifyCommand.class, AuditReplayCommand.class})
public class AuditCommand {
}
