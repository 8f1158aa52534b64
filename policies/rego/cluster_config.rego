# Cluster-wide machinery that sees or changes every request, or reaches the nodes below
# Kubernetes (issue #12, class 10). Changes need approval (and a few are refused outright):
#   admission webhooks and policies     see every object admitted, Secrets included, and a mutating
#                                       one can add a container to every pod
#   APIServices                         route a whole API group to a Service of the caller's choice
#   CRDs with a conversion webhook      send every custom object of the kind to that webhook
#   PersistentVolumes on node paths     hostPath is refused (as in pods, workloads.rego); local and
#                                       flexVolume need approval
#   nodes, nodes/status                 labels and taints steer where workloads run; deleting one
#                                       evicts its pods
#   nodes/proxy                         the kubelet's API: exec into any pod of the node, unmasked,
#                                       past kubegate's policy; refused, reads too
# Certificate signing and approval are credential minting: credentials.rego.
package kubegate

# [API group, resource]: why a change needs approval.
cluster_machinery := {
	"admissionregistration.k8s.io/mutatingwebhookconfigurations": "a mutating admission webhook receives and may rewrite every object it selects, Secrets and pods included",
	"admissionregistration.k8s.io/validatingwebhookconfigurations": "a validating admission webhook receives every object it selects, Secrets included, and guards what the cluster accepts",
	"admissionregistration.k8s.io/validatingadmissionpolicies": "a ValidatingAdmissionPolicy decides what the cluster accepts",
	"admissionregistration.k8s.io/validatingadmissionpolicybindings": "a ValidatingAdmissionPolicyBinding decides where an admission policy applies",
	"admissionregistration.k8s.io/mutatingadmissionpolicies": "a MutatingAdmissionPolicy may rewrite every object it selects",
	"admissionregistration.k8s.io/mutatingadmissionpolicybindings": "a MutatingAdmissionPolicyBinding decides where a mutating policy applies",
	"apiregistration.k8s.io/apiservices": "an APIService routes a whole API group, and the requests of every user to it, to a Service",
	"certificates.k8s.io/clustertrustbundles": "a ClusterTrustBundle is trusted by the workloads that mount it",
	"/nodes": "a node's labels and taints steer where workloads run, and deleting a node evicts its pods",
}

machinery_reason(group, resource) := cluster_machinery[concat("/", [group, resource])]

require_approval contains needs_approval(concat("", [
	machinery_reason(request.apiGroup, request.resource), "; reading it is allowed without approval",
])) if {
	is_effective_write
	{"", "status"}[request.subresource]
	machinery_reason(request.apiGroup, request.resource)
}

deny contains refusal(concat("", [
	"nodes/proxy reaches the kubelet's API, which runs commands in any pod of the node without kubegate's policy or masking; ",
	"use kubectl exec, logs or port-forward on the pod instead",
])) if {
	is_core_resource("nodes")
	request.subresource == "proxy"
}

# --- CustomResourceDefinitions with a conversion webhook ---

require_approval contains needs_approval(concat("", [
	"the CustomResourceDefinition's conversion webhook would receive every ", crd_kind, " object ",
	"(spec.conversion.webhook); a CRD without one needs no approval",
])) if {
	is_effective_write
	request.apiGroup == "apiextensions.k8s.io"
	request.resource == "customresourcedefinitions"
	request.subresource == ""
	input.object.spec.conversion.strategy == "Webhook"
}

crd_kind := k if {
	k := input.object.spec.names.kind
	is_string(k)
} else := "custom"

# --- PersistentVolumes on a node's file system ---

pv_write if {
	is_core_resource("persistentvolumes")
	request.subresource == ""
	{"create", "update", "patch"}[request.verb]
}

deny contains refusal(concat("", [
	"hostPath PersistentVolumes are not allowed (spec.hostPath, path \"", object.get(input.object.spec.hostPath, "path", ""), "\"): ",
	"a pod that claims one reads and writes the node's files; use a volume of a storage class instead",
])) if {
	pv_write
	input.object.spec.hostPath
}

node_local_sources := {
	"local": "a directory or disk of one node",
	"flexVolume": "a driver binary run as root on the node with options from this object",
}

require_approval contains needs_approval(concat("", [
	"the PersistentVolume uses ", source, " (spec.", source, "): ", why,
	"; volumes of a storage class need no approval",
])) if {
	is_effective_write
	pv_write
	some source, why in node_local_sources
	input.object.spec[source]
}
