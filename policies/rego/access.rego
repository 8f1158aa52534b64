# Requests no agent may make, whatever it asks for and whoever approves.
package kubegate

deny contains refusal("requests must be authenticated; present a kubegate session token") if {
	not authenticated
}

# kubegate already acts as the agent (Impersonate-User kubegate:<name>); impersonating someone
# else would escape that identity, and the audit trail with it.
deny contains refusal(concat("", [
	"impersonation is not allowed through kubegate; ",
	"send the request as yourself, without Impersonate-* headers",
])) if {
	request.verb == "impersonate"
}

default configured_secret_read_denied_namespaces := ["kube-system"]

configured_secret_read_denied_namespaces := data.kubegate.secretReadDeniedNamespaces

secret_read_denied_namespaces := {ns | some ns in configured_secret_read_denied_namespaces}

# Secrets there are the cluster's own credentials (service account keys, bootstrap tokens). Every
# verb: a write's answer (a dry run's too) is the Secret, and a refused one quotes it.
deny contains refusal(concat("", [
	"Secrets in namespace \"", request.namespace, "\" cannot be read or written through kubegate; ",
	"Secrets in other namespaces may be read, with their values masked",
])) if {
	is_core_resource("secrets")
	secret_read_denied_namespaces[request.namespace]
}

# Listing or watching Secrets across all namespaces would include those namespaces too.
deny contains refusal(concat("", [
	"reading Secrets in all namespaces is not allowed because it includes ",
	quoted_list(sort(secret_read_denied_namespaces)), "; ",
	"list Secrets in one namespace instead (kubectl get secrets -n <namespace>)",
])) if {
	is_core_resource("secrets")
	read_verbs[request.verb]
	request.namespace == ""
	count(secret_read_denied_namespaces) > 0
}

# kubegate's own namespace holds its credentials, signing keys and configuration: an agent that
# could touch it could rewrite the rules it runs under.
deny contains refusal(concat("", [
	"namespace \"", own_namespace, "\" belongs to kubegate itself and cannot be accessed through it; ",
	"use any other namespace",
])) if {
	request.isResourceRequest
	target_namespace == own_namespace
}
