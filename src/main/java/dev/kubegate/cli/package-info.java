/**
 * The {@code kubegate} command line (picocli): {@code serve} runs the gateway; the other commands
 * are clients that run the same application with the HTTP listener off. Commands may block: they
 * run on the main thread.
 */
package dev.kubegate.cli;
