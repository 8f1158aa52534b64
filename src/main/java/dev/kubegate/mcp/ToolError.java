package dev.kubegate.mcp;

/**
 * A tool call that failed in a way the agent should read: it becomes a tool result with
 * {@code isError: true} and this message, never a protocol error.
 */
final class ToolError extends RuntimeException {

    ToolError(String message) {
        super(message, null, false, false);
    }
}
