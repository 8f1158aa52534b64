package dev.kubegate.cli;

import picocli.CommandLine.Option;

/** The {@code -o, --output} option of commands that print a list or a report (mixed in). */
public class OutputOption {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat format = OutputFormat.table;
}
