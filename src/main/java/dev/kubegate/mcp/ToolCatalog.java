package dev.kubegate.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tools kubegate serves, as {@code tools/list} describes them: kubernetes-mcp-server's
 * {@code core} toolset with the same names and argument names (so prompts written for it work
 * unchanged), plus kubegate's {@code policy_explain} and {@code approval_status}.
 */
final class ToolCatalog {

    private final Map<String, ObjectNode> tools = new LinkedHashMap<>();

    ToolCatalog() {
        tool("namespaces_list", "List all the Kubernetes namespaces in the current cluster", true, false);
        tool("events_list", "List all the Kubernetes events in the current cluster from all namespaces, or from one", true, false)
                .str("namespace", "Optional namespace to retrieve the events from. If not provided, will list events from all namespaces", false);
        tool("pods_list", "List all the Kubernetes pods in the current cluster from all namespaces", true, false)
                .str("labelSelector", "Optional Kubernetes label selector (e.g. 'app=myapp,env=prod' or 'app in (myapp,yourapp)')", false)
                .output();
        tool("pods_list_in_namespace", "List all the Kubernetes pods in the specified namespace in the current cluster", true, false)
                .str("namespace", "Namespace to list pods from", true)
                .str("labelSelector", "Optional Kubernetes label selector (e.g. 'app=myapp,env=prod' or 'app in (myapp,yourapp)')", false)
                .output();
        tool("pods_get", "Get a Kubernetes Pod in the current or provided namespace with the provided name", true, false)
                .str("namespace", "Namespace to get the Pod from (default: default)", false)
                .str("name", "Name of the Pod", true);
        tool("pods_delete", "Delete a Kubernetes Pod in the current or provided namespace with the provided name", false, true)
                .str("namespace", "Namespace to delete the Pod from (default: default)", false)
                .str("name", "Name of the Pod to delete", true);
        tool("pods_log", "Get the logs of a Kubernetes Pod in the current or provided namespace with the provided name", true, false)
                .str("namespace", "Namespace to get the Pod logs from (default: default)", false)
                .str("name", "Name of the Pod to get the logs from", true)
                .str("container", "Name of the Pod container to get the logs from (Optional)", false)
                .bool("previous", "Return previous terminated container logs (Optional)")
                .integer("tail", "Number of lines to retrieve from the end of the logs (Optional, default: 100)", 0);
        tool("pods_exec", "Execute a command in a Kubernetes Pod (non-interactive; output and time are bounded)", false, true)
                .str("namespace", "Namespace of the Pod where the command will be executed (default: default)", false)
                .str("name", "Name of the Pod where the command will be executed", true)
                .strings("command", "Command to execute in the Pod container. The first item is the command, the rest its arguments. Example: [\"ls\", \"-l\", \"/tmp\"]")
                .str("container", "Name of the Pod container where the command will be executed (Optional)", false);
        tool("resources_list", "List Kubernetes resources and objects in the current cluster by providing their apiVersion and kind and optionally the namespace and label selector", true, false)
                .str("apiVersion", "apiVersion of the resources (examples of valid apiVersion are: v1, apps/v1, networking.k8s.io/v1)", true)
                .str("kind", "kind of the resources (examples of valid kind are: Pod, Service, Deployment, Ingress)", true)
                .str("namespace", "Optional Namespace to retrieve the namespaced resources from (ignored in case of cluster scoped resources). If not provided, will list resources from all namespaces", false)
                .str("labelSelector", "Optional Kubernetes label selector (e.g. 'app=myapp,env=prod' or 'app in (myapp,yourapp)')", false)
                .str("fieldSelector", "Optional Kubernetes field selector (e.g. 'status.phase=Running')", false)
                .output();
        tool("resources_get", "Get a Kubernetes resource in the current cluster by providing its apiVersion, kind, optionally the namespace, and its name", true, false)
                .str("apiVersion", "apiVersion of the resource (examples of valid apiVersion are: v1, apps/v1, networking.k8s.io/v1)", true)
                .str("kind", "kind of the resource (examples of valid kind are: Pod, Service, Deployment, Ingress)", true)
                .str("namespace", "Optional Namespace to retrieve the namespaced resource from (ignored in case of cluster scoped resources; default: default)", false)
                .str("name", "Name of the resource", true);
        tool("resources_create_or_update", "Create or update a Kubernetes resource in the current cluster by providing a YAML or JSON representation of the resource (server-side apply, field manager kubegate-mcp)", false, true)
                .str("resource", "A JSON or YAML containing a representation of the Kubernetes resource. Should include top-level fields such as apiVersion, kind, metadata, and spec", true);
        tool("resources_delete", "Delete a Kubernetes resource in the current cluster by providing its apiVersion, kind, optionally the namespace, and its name", false, true)
                .str("apiVersion", "apiVersion of the resource (examples of valid apiVersion are: v1, apps/v1, networking.k8s.io/v1)", true)
                .str("kind", "kind of the resource (examples of valid kind are: Pod, Service, Deployment, Ingress)", true)
                .str("namespace", "Optional Namespace to delete the namespaced resource from (ignored in case of cluster scoped resources; default: default)", false)
                .str("name", "Name of the resource", true);
        tool("resources_scale", "Get or update the scale of a Kubernetes resource in the current cluster by providing its apiVersion, kind, name, and optionally the namespace. If the scale is set in the tool call, the scale will be updated to that value. Always returns the current scale of the resource", false, false)
                .str("apiVersion", "apiVersion of the resource (examples of valid apiVersion are: apps/v1)", true)
                .str("kind", "kind of the resource (examples of valid kind are: StatefulSet, Deployment)", true)
                .str("namespace", "Optional Namespace to get/update the namespaced resource scale from (default: default)", false)
                .str("name", "Name of the resource", true)
                .integer("scale", "Optional scale to update the resources scale to. If not provided, will return the current scale of the resource", 0);
        tool("policy_explain", "Explain what kubegate's policy would decide for a Kubernetes API call (allow, deny with reasons, or hold for approval by whom), without making the call", true, false)
                .str("verb", "The API verb: get, list, watch, create, update, patch, delete or deletecollection", true)
                .str("apiVersion", "apiVersion of the resource (v1, apps/v1, ...)", true)
                .str("kind", "kind of the resource (Pod, Deployment, ...)", true)
                .str("namespace", "Namespace of the call (for namespaced kinds; default: default)", false)
                .str("name", "Name of the object (for calls on one object)", false)
                .str("subresource", "Subresource, e.g. exec, log, scale, status (Optional)", false)
                .str("resource", "Optional YAML or JSON of the object a create, update or patch would write: policy judges it as written (the API server's defaults are not applied)", false);
        tool("approval_status", "Show the state of one of your kubegate approval requests: pending, approved, denied, expired or used", true, false)
                .str("id", "The approval id (ap-...), as named by the tool error that asked for approval", true);
    }

    ObjectNode list() {
        ObjectNode result = JsonRpc.JSON.createObjectNode();
        ArrayNode a = result.putArray("tools");
        tools.values().forEach(a::add);
        return result;
    }

    boolean has(String name) {
        return tools.containsKey(name);
    }

    /** The input schema of a tool, for argument checks. */
    ObjectNode schema(String name) {
        return (ObjectNode) tools.get(name).get("inputSchema");
    }

    private Builder tool(String name, String description, boolean readOnly, boolean destructive) {
        ObjectNode t = JsonRpc.JSON.createObjectNode().put("name", name).put("description", description);
        ObjectNode schema = t.putObject("inputSchema").put("type", "object");
        schema.putObject("properties");
        schema.putArray("required");
        schema.put("additionalProperties", false);
        t.putObject("annotations").put("readOnlyHint", readOnly).put("destructiveHint", destructive)
                .put("idempotentHint", readOnly).put("openWorldHint", true);
        tools.put(name, t);
        return new Builder(schema);
    }

    private record Builder(ObjectNode schema) {
        private ObjectNode prop(String name, String type, String description) {
            return ((ObjectNode) schema.get("properties")).putObject(name).put("type", type).put("description", description);
        }

        Builder str(String name, String description, boolean required) {
            prop(name, "string", description);
            if (required) ((ArrayNode) schema.get("required")).add(name);
            return this;
        }

        Builder bool(String name, String description) {
            prop(name, "boolean", description);
            return this;
        }

        Builder integer(String name, String description, int minimum) {
            prop(name, "integer", description).put("minimum", minimum);
            return this;
        }

        Builder strings(String name, String description) {
            prop(name, "array", description).put("minItems", 1).putObject("items").put("type", "string");
            ((ArrayNode) schema.get("required")).add(name);
            return this;
        }

        Builder output() {
            prop("output", "string", "Output format: table (default) or yaml").putArray("enum").add("table").add("yaml");
            return this;
        }
    }
}
