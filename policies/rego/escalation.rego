# RBAC writes that hand out the ways around kubegate. Every RBAC write already needs approval
# (approvals.rego); these add a second, explicit reason that names what the role or binding grants,
# so an approver sees "impersonate" or "cluster-admin" instead of "a role changed".
#
# Granting is judged on the object the call produces (input.object; for patches the patched role).
# The verbs impersonate, escalate and bind themselves never reach policy from an agent: kubegate
# strips the client's Impersonate-* headers (UpstreamHeaders) and access.rego refuses a request
# whose verb is impersonate all the same.
package kubegate

rbac_write if {
	is_effective_write
	request.apiGroup == "rbac.authorization.k8s.io"
	rbac_resources[request.resource]
	request.subresource == ""
}

role_write if {
	rbac_write
	{"roles", "clusterroles"}[request.resource]
}

binding_write if {
	rbac_write
	{"rolebindings", "clusterrolebindings"}[request.resource]
}

rule_grants_verb(rule, verb) if {
	some v in rule.verbs
	v == verb
}

rule_grants_verb(rule, _) if {
	some v in rule.verbs
	v == "*"
}

rule_covers(rule, group, resource) if {
	some g in rule.apiGroups
	g in {group, "*"}
	some r in rule.resources
	r in {resource, "*", any_resource_form(resource)}
}

# RBAC's "*/<subresource>": that subresource of every resource.
any_resource_form(resource) := concat("/", ["*", parts[1]]) if {
	parts := split(resource, "/")
	count(parts) == 2
} else := resource

rule_ref(i) := concat("", ["rules[", format_int(i, 10), "]"])

# Verbs that are escalation by themselves, named as the approver should read them.
escalation_verbs := {
	"escalate": "\"escalate\" (create roles with permissions the granter does not hold)",
	"bind": "\"bind\" (bind any role, whatever the binder holds)",
	"impersonate": "\"impersonate\" (act as other users, groups or service accounts)",
}

# What a rule of the role grants that lets its holder get around kubegate or past RBAC.
powerful_grants contains concat("", ["every verb (\"*\", ", rule_ref(i), ")"]) if {
	role_write
	some i, rule in input.object.rules
	"*" in rule.verbs
}

powerful_grants contains concat("", ["every resource (\"*\", ", rule_ref(i), ")"]) if {
	role_write
	some i, rule in input.object.rules
	"*" in rule.resources
}

powerful_grants contains concat("", [what, " (", rule_ref(i), ")"]) if {
	role_write
	some i, rule in input.object.rules
	some verb in rule.verbs
	what := escalation_verbs[verb]
}

# Constrained impersonation (1.35+) spells its verbs impersonate:<mode> and impersonate-on:<mode>:<verb>.
powerful_grants contains concat("", ["\"", verb, "\" (constrained impersonation, ", rule_ref(i), ")"]) if {
	role_write
	some i, rule in input.object.rules
	some verb in rule.verbs
	startswith(verb, "impersonate")
	not escalation_verbs[verb]
}

# [group, resource, verbs, what it gives].
sensitive_rights := [
	["", "secrets", {"get", "list", "watch"}, "reading Secrets"],
	["", "serviceaccounts/token", {"create"}, "minting service-account tokens"],
	["", "nodes/proxy", {"get", "create", "update", "patch", "delete"}, "the kubelet API through nodes/proxy (exec into any pod on the node)"],
	["certificates.k8s.io", "certificatesigningrequests/approval", {"update", "patch"}, "approving certificates"],
	["certificates.k8s.io", "signers", {"approve", "sign"}, "approving or signing certificates"],
	["admissionregistration.k8s.io", "mutatingwebhookconfigurations", {"create", "update", "patch"}, "writing mutating admission webhooks"],
	["admissionregistration.k8s.io", "validatingwebhookconfigurations", {"create", "update", "patch", "delete"}, "writing validating admission webhooks"],
]

powerful_grants contains concat("", [what, " (", rule_ref(i), ")"]) if {
	role_write
	some i, rule in input.object.rules
	some [group, resource, verbs, what] in sensitive_rights
	rule_covers(rule, group, resource)
	some verb in verbs
	rule_grants_verb(rule, verb)
}

powerful_grants contains "every permission of the ClusterRoles its aggregationRule selects, now and later (aggregationRule)" if {
	role_write
	input.object.aggregationRule
}

# Built-in roles whose holders can work around kubegate: cluster-admin holds everything; admin
# and edit read Secrets and create pods as any service account of the namespace.
powerful_roles := {
	"cluster-admin": "every permission in the cluster",
	"admin": "reading Secrets, pods as any service account and RBAC in the namespace",
	"edit": "reading Secrets and pods as any service account in the namespace",
}

powerful_grants contains concat("", ["the ClusterRole \"", name, "\" (", what, ", roleRef)"]) if {
	binding_write
	input.object.roleRef.kind == "ClusterRole"
	name := input.object.roleRef.name
	what := powerful_roles[name]
}

powerful_grants contains concat("", ["the built-in ClusterRole \"", name, "\" (roleRef)"]) if {
	binding_write
	input.object.roleRef.kind == "ClusterRole"
	name := input.object.roleRef.name
	startswith(name, "system:")
}

# Binding to these groups grants to every caller, or to every service account.
everyone_groups := {"system:authenticated", "system:unauthenticated", "system:serviceaccounts"}

powerful_grants contains concat("", ["its role to everyone in group \"", s.name, "\" (subjects[", format_int(i, 10), "])"]) if {
	binding_write
	some i, s in input.object.subjects
	s.kind == "Group"
	everyone_groups[s.name]
}

require_approval contains needs_approval(concat("", [
	"it grants ", concat("; ", sort(powerful_grants)),
	". Whoever holds this can get around kubegate or past RBAC; approve only if that is intended",
])) if {
	count(powerful_grants) > 0
}
