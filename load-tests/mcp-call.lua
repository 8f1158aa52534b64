-- wrk -s: the same ConfigMap GET as an MCP tools/call of resources_get on /kubegate/mcp (apiserver.sh, MCP=true).
-- MCP_SESSION (from initialize) and MCP_BODY (the JSON-RPC message) come from the environment.
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = os.getenv("MCP_SESSION")
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"
