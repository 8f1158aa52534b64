package kubegate_test

rbac_call(verb, resource, namespace, obj) := object.union(call(req(verb, "rbac.authorization.k8s.io", resource, namespace)), {"object": obj})

role_with(rules) := {"metadata": {"name": "r"}, "rules": rules}

binding_to(kind, name, subjects) := {"metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": name}, "subjects": subjects}

agent_subject := [{"kind": "User", "name": "kubegate:alice"}]

test_plain_role_has_only_the_generic_reason if {
	inp := rbac_call("create", "roles", "prod", role_with([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]))
	needs_approval(inp)
	count(reasons(inp)) == 1
	not says(inp, ["it grants"])
}

test_wildcards_named if {
	inp := rbac_call("create", "clusterroles", "", role_with([
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
	]))
	needs_approval(inp)
	says(inp, [
		"without approval: it grants ",
		"every resource (\"*\", rules[1])",
		"every verb (\"*\", rules[1])",
		"reading Secrets (rules[1])",
		"minting service-account tokens (rules[1])",
		"Whoever holds this can get around kubegate",
	])
}

test_escalation_verbs_named if {
	every verb in ["escalate", "bind", "impersonate"] {
		inp := rbac_call("update", "clusterroles", "", role_with([{"apiGroups": ["rbac.authorization.k8s.io", ""], "resources": ["clusterroles", "users"], "verbs": [verb]}]))
		says(inp, [concat("", ["it grants \"", verb, "\" ("]), "(rules[0])"])
	}
}

test_constrained_impersonation_verbs_named if {
	inp := rbac_call("create", "clusterroles", "", role_with([{"apiGroups": ["authentication.k8s.io"], "resources": ["serviceaccounts"], "verbs": ["impersonate:serviceaccount"]}]))
	says(inp, ["\"impersonate:serviceaccount\" (constrained impersonation, rules[0])"])
}

test_sensitive_rights_named if {
	every rule_what in [
		[{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}, "reading Secrets"],
		[{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}, "minting service-account tokens"],
		[{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}, "the kubelet API through nodes/proxy"],
		[{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]}, "approving certificates"],
		[{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["*"]}, "writing mutating admission webhooks"],
	] {
		says(rbac_call("create", "roles", "prod", role_with([rule_what[0]])), [rule_what[1]])
	}
}

test_any_resource_subresource_form_counts if {
	inp := rbac_call("create", "clusterroles", "", role_with([{"apiGroups": [""], "resources": ["*/proxy"], "verbs": ["get"]}]))
	says(inp, ["the kubelet API through nodes/proxy (exec into any pod on the node) (rules[0])"])
	not says(inp, ["minting service-account tokens"])
}

test_secret_writes_only_not_named_as_reading if {
	inp := rbac_call("create", "roles", "prod", role_with([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}]))
	not says(inp, ["reading Secrets"])
}

test_aggregation_rule_named if {
	inp := rbac_call("create", "clusterroles", "", object.union(role_with([]), {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}))
	says(inp, ["(aggregationRule)"])
}

test_binding_to_powerful_roles_named if {
	every name in ["cluster-admin", "admin", "edit"] {
		inp := rbac_call("create", "rolebindings", "prod", binding_to("ClusterRole", name, agent_subject))
		needs_approval(inp)
		says(inp, [concat("", ["it grants the ClusterRole \"", name, "\" ("]), "roleRef)"])
	}
	says(rbac_call("create", "clusterrolebindings", "", binding_to("ClusterRole", "system:node", agent_subject)), ["the built-in ClusterRole \"system:node\""])
}

test_binding_to_own_role_has_only_the_generic_reason if {
	inp := rbac_call("create", "rolebindings", "prod", binding_to("Role", "cluster-admin", agent_subject))
	count(reasons(inp)) == 1
	inp2 := rbac_call("create", "rolebindings", "prod", binding_to("ClusterRole", "view", agent_subject))
	count(reasons(inp2)) == 1
}

test_binding_to_everyone_named if {
	inp := rbac_call("create", "clusterrolebindings", "", binding_to("ClusterRole", "view", [{"kind": "Group", "name": "system:authenticated"}]))
	says(inp, ["its role to everyone in group \"system:authenticated\" (subjects[0])"])
}

test_rbac_reads_and_deletes_not_named if {
	allowed(call(req("get", "rbac.authorization.k8s.io", "clusterroles", "")))
	inp := call(req("delete", "rbac.authorization.k8s.io", "clusterrolebindings", ""))
	count(reasons(inp)) == 1
}
