# Shared vocabulary of the default policy pack: settings from data, what the request is, and the
# API server's wording for refusals.
#
# The input document is the contract of docs/policy-input.md (principal, request, object, oldObject, stats,
# now), plus input.podSpec, defined in workloads.rego.
package kubegate

# Settings live in data.kubegate, beside the rules of this package: data.json in this directory
# holds the defaults, and the kubegate.policy.data document is merged over them at run time.
# Setting keys are camelCase and rule names snake_case, so the two never collide. Settings are
# read by their full static path (data.kubegate.ownNamespace, never data.kubegate[key]): a
# dynamic lookup would depend on every rule of the package. The defaults below only matter when
# a custom bundle ships no data, and err on the safe side.

default own_namespace := "kubegate"

own_namespace := data.kubegate.ownNamespace

# Writes here need a human's approval: the cluster's own namespaces, and production ones.
default configured_protected_namespaces := ["kube-system", "kube-public"]

configured_protected_namespaces := data.kubegate.protectedNamespaces

default production_namespaces := []

production_namespaces := data.kubegate.productionNamespaces

protected_namespaces := {ns | some ns in configured_protected_namespaces} | {ns | some ns in production_namespaces}

# The gateway always sends every field of input.request (PolicyInput); messages still read them
# with defaults (see `field`), because a rule whose message failed to build would not fire.
request := input.request

field(name) := object.get(request, name, "")

principal_name := name if {
	name := input.principal.name
	is_string(name)
} else := ""

authenticated if principal_name != ""

write_verbs := {"create", "update", "patch", "delete", "deletecollection"}

read_verbs := {"get", "list", "watch"}

# A resource request that changes something. exec, attach and portforward are "create" on a
# pods subresource, so they are writes too.
is_write if {
	request.isResourceRequest
	write_verbs[request.verb]
}

# A dry run changes nothing (the API server guarantees it), so it never needs approval; it is
# still refused when the real request would be, which gives agents early and honest feedback.
is_effective_write if {
	is_write
	not request.dryRun
}

# A write that may create the object it names. "create" always does; so do an update (PUT, for
# the resources that allow create-on-update) and a patch (kubectl apply --server-side is a PATCH
# that creates what does not exist yet). kubegate gives input.oldObject, the object as it is now,
# for update and patch; it is absent when the object does not exist or the agent cannot read it,
# and both count as "may create" (the stricter reading). Every rule that judges creating an object
# judges it with this, never with request.verb == "create" alone. Only the object itself:
# subresources (pods/eviction, serviceaccounts/token, ...) act on objects or mint their own.
writes_new_object if {
	request.isResourceRequest
	request.subresource == ""
	request.verb == "create"
}

writes_new_object if {
	request.isResourceRequest
	request.subresource == ""
	{"update", "patch"}[request.verb]
	not old_object_exists
}

# A helper, not `not is_object(input.oldObject)`: OPA evaluates the reference outside the
# negation, so an absent oldObject would make that expression undefined instead of true.
old_object_exists if is_object(input.oldObject)

# A call that removes objects: delete, deletecollection, and an Eviction (create on
# pods/eviction), which deletes the pod it names. The gateway's session counters count the same
# calls as deletes (SessionCounters), which budgets.rego reads as input.stats.deletes.
is_delete if {
	request.isResourceRequest
	{"delete", "deletecollection"}[request.verb]
}

is_delete if {
	is_core_resource("pods")
	request.subresource == "eviction"
	request.verb == "create"
}

is_core_resource(resource) if {
	request.isResourceRequest
	request.apiGroup == ""
	request.resource == resource
}

# The namespace a request touches. For the namespace object itself the API server's RequestInfo
# already sets namespace to its name, except on create, where the name is in the body.
target_namespace := ns if {
	ns := request.namespace
	ns != ""
} else := ns if {
	is_core_resource("namespaces")
	ns := input.object.metadata.name
	is_string(ns)
} else := ""

# --- Messages --------------------------------------------------------------------------------
# Refusals use the API server's RBAC wording, so agents that already understand
#   User "u" cannot create resource "pods" in API group "" in the namespace "prod"
# understand ours, followed by which rule refused, where, and what would be allowed instead.

subject := concat("", ["User \"kubegate:", principal_name, "\""])

resource_name := concat("/", [field("resource"), field("subresource")]) if field("subresource") != ""

else := field("resource")

scope := concat("", [" in the namespace \"", field("namespace"), "\""]) if field("namespace") != ""

else := " at the cluster scope"

action := concat("", [field("verb"), " resource \"", resource_name, "\" in API group \"", field("apiGroup"), "\"", scope]) if {
	request.isResourceRequest
}

else := concat("", [field("verb"), " path \"", field("path"), "\""])

# refusal("privileged containers are not allowed (...)") is a deny reason.
refusal(why) := concat("", [subject, " cannot ", action, ": ", why])

# needs_approval("...") is the reason an approver reads and the agent is told.
needs_approval(why) := concat("", [subject, " cannot ", action, " without approval: ", why])

# "a", "b" and "c" — for lists in messages.
quoted_list(items) := concat(", ", [concat("", ["\"", s, "\""]) | some s in items])
