# Requests a human must approve first. The agent receives 403 with the reason and an approval id;
# once an approver (data.kubegate.approval.approverGroups) approves, the same request passes.
# A request that is also denied is just denied: approving it would not help.
package kubegate

interactive_subresources := {"exec", "attach", "portforward"}

interactive if {
	is_core_resource("pods")
	interactive_subresources[request.subresource]
}

require_approval contains needs_approval(concat("", [
	"namespace \"", target_namespace, "\" is protected, so changes there need approval; ",
	"reading is allowed without it",
])) if {
	is_effective_write
	not interactive
	protected_namespaces[target_namespace]
}

require_approval contains needs_approval(concat("", [
	request.subresource, " into pods of the protected namespace \"", target_namespace, "\" needs approval; ",
	"kubectl logs and kubectl get are allowed without it",
])) if {
	is_effective_write
	interactive
	protected_namespaces[target_namespace]
}

require_approval contains needs_approval(concat("", [
	"NetworkPolicies decide which traffic reaches workloads, so every change to one needs approval; ",
	"reading them is allowed without it",
])) if {
	is_effective_write
	request.apiGroup == "networking.k8s.io"
	request.resource == "networkpolicies"
}

rbac_resources := {"roles", "rolebindings", "clusterroles", "clusterrolebindings"}

require_approval contains needs_approval(concat("", [
	"RBAC roles and bindings grant permissions, so every change to one needs approval; ",
	"reading them is allowed without it",
])) if {
	is_effective_write
	request.apiGroup == "rbac.authorization.k8s.io"
	rbac_resources[request.resource]
}

require_approval contains needs_approval(concat("", [
	"deleting a namespace deletes everything in it, so it needs approval; ",
	"delete the objects you mean to remove one by one instead",
])) if {
	is_effective_write
	is_core_resource("namespaces")
	{"delete", "deletecollection"}[request.verb]
}

require_approval contains needs_approval(concat("", [
	"deleting a whole collection needs approval; ",
	"delete objects one by one by name instead",
])) if {
	is_effective_write
	request.verb == "deletecollection"
}
