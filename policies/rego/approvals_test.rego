package kubegate_test

test_write_in_protected_namespace_needs_approval if {
	every ns in ["kube-system", "kube-public"] {
		inp := call(req("create", "", "configmaps", ns))
		needs_approval(inp)
		says(inp, [concat("", ["cannot create resource \"configmaps\" in API group \"\" in the namespace \"", ns, "\" without approval: namespace \"", ns, "\" is protected"])])
	}
}

test_approval_section_filled if {
	d := decide(call(req("delete", "", "pods", "kube-system")))
	d.approval.required == true
	d.approval.approverGroups == ["kubegate-approvers"]
	d.approval.ttl == "15m"
	d.approval.approvers == 1
	contains(d.approval.reason, "is protected")
	d.reasons == [d.approval.reason]
}

test_production_namespaces_from_data if {
	allowed(call(req("create", "", "configmaps", "prod")))
	needs_approval(call(req("create", "", "configmaps", "prod"))) with data.kubegate.productionNamespaces as ["prod"]
	allowed(call(req("create", "", "configmaps", "kube-system"))) with data.kubegate.protectedNamespaces as []
}

test_reads_in_protected_namespace_allowed if {
	allowed(call(req("get", "", "configmaps", "kube-system")))
	allowed(call(req("list", "apps", "deployments", "kube-system")))
}

test_dry_run_needs_no_approval if {
	allowed(call(object.union(req("create", "", "configmaps", "kube-system"), {"dryRun": true})))
}

test_dry_run_still_denied if {
	inp := pod_call("create", "", "pods", "prod", "spec", {"containers": [container("app", {"privileged": true})]})
	denied(inp) with input.request.dryRun as true
}

test_protected_namespace_object_needs_approval if {
	needs_approval(call(object.union(req("patch", "", "namespaces", "kube-system"), {"name": "kube-system"})))
}

test_interactive_in_protected_namespace_needs_approval if {
	every s in ["exec", "attach", "portforward"] {
		inp := call(sub("create", "pods", s, "kube-system"))
		needs_approval(inp)
		says(inp, [concat("", [s, " into pods of the protected namespace \"kube-system\" needs approval"])])
		count(reasons(inp)) == 1
		decide(inp).audit.level == "RequestResponse"
	}
}

test_interactive_elsewhere_allowed if {
	inp := call(sub("create", "pods", "exec", "prod"))
	allowed(inp)
	decide(inp).audit.level == "RequestResponse"
}

test_network_policy_changes_need_approval if {
	every verb in ["create", "update", "patch", "delete"] {
		inp := call(req(verb, "networking.k8s.io", "networkpolicies", "prod"))
		needs_approval(inp)
		says(inp, ["NetworkPolicies decide which traffic reaches workloads"])
	}
	allowed(call(req("list", "networking.k8s.io", "networkpolicies", "prod")))
}

test_rbac_changes_need_approval if {
	every resource in ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] {
		inp := call(req("create", "rbac.authorization.k8s.io", resource, ""))
		needs_approval(inp)
		says(inp, ["RBAC roles and bindings grant permissions"])
	}
	allowed(call(req("get", "rbac.authorization.k8s.io", "clusterroles", "")))
}

test_namespace_deletion_needs_approval if {
	inp := call(object.union(req("delete", "", "namespaces", "team-a"), {"name": "team-a"}))
	needs_approval(inp)
	says(inp, ["deleting a namespace deletes everything in it"])
	allowed(object.union(call(req("create", "", "namespaces", "")), {"object": {"metadata": {"name": "team-a"}}}))
}

test_deletecollection_needs_approval if {
	inp := call(req("deletecollection", "", "pods", "prod"))
	needs_approval(inp)
	says(inp, ["deleting a whole collection needs approval"])
}

test_denied_request_needs_no_approval if {
	# Denied and protected: approving would not help, so only the denial is reported.
	inp := pod_call("create", "", "pods", "kube-system", "spec", {"containers": [container("app", {"privileged": true})]})
	denied(inp)
	not says(inp, ["without approval"])
}
