package kubegate_test

test_decision_shape_of_an_allow if {
	d := decide(call(req("get", "", "pods", "prod")))
	d.allow == true
	d.reasons == []
	d.approval == {"required": false, "reason": "", "approverGroups": [], "ttl": ""}
	d.audit == {"level": "Metadata"}
	d.mask.secrets == true
}

test_audit_levels if {
	decide(call(req("create", "", "configmaps", "prod"))).audit.level == "Request"
	decide(call(req("impersonate", "", "users", ""))).audit.level == "Request"
	decide(call(req("list", "", "pods", ""))).audit.level == "Metadata"
}

test_deny_reasons_sorted_and_unique if {
	inp := pod_call("create", "", "pods", "prod", "spec", {
		"hostPID": true,
		"containers": [container("app", {"privileged": true})],
	})
	d := decide(inp)
	d.reasons == sort(d.reasons)
	count(d.reasons) == 2
}
