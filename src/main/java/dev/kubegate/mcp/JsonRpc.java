package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON-RPC 2.0 messages as MCP uses them. */
final class JsonRpc {

    static final ObjectMapper JSON = new ObjectMapper();

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;

    private JsonRpc() {
    }

    static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result);
        return m;
    }

    static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0");
        m.set("id", id == null ? JSON.nullNode() : id);
        m.putObject("error").put("code", code).put("message", message);
        return m;
    }

    static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        m.set("params", params);
        return m;
    }

    /** A tool result: one text block, an error or not. */
    static ObjectNode toolResult(String text, boolean error) {
        ObjectNode r = JSON.createObjectNode();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        r.put("isError", error);
        return r;
    }
}
