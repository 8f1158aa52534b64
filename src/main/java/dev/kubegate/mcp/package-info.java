/**
 * kubegate as an MCP server: the Streamable HTTP endpoint {@code /kubegate/mcp} ({@link
 * dev.kubegate.mcp.McpEndpoint}, JSON-RPC on the gateway's Vert.x router) and the Kubernetes tools
 * it serves. A tool never talks to the API server itself: each of its API calls goes into kubegate's
 * own HTTPS listener over loopback, with the agent's own bearer credential ({@link
 * dev.kubegate.mcp.Loopback}), so classification, policy, approvals, masking and audit apply exactly
 * as for kubectl; the call carries an unforgeable marker naming the tool and MCP session for its audit
 * record ({@code trail/ToolCallMarker}). Everything runs on event loops and never blocks; YAML
 * manifests are parsed on a worker thread. Sessions need no server state (any replica answers).
 */
package dev.kubegate.mcp;
