package kubegate_test

sa_spec(field, name) := object.union(plain_spec, {field: name})

test_default_service_account_allowed if {
	allowed(pod_call("create", "", "pods", "prod", "spec", plain_spec))
	allowed(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "default")))
	allowed(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "")))
}

test_other_service_account_needs_approval if {
	inp := pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))
	needs_approval(inp)
	says(inp, [
		"cannot create resource \"pods\" in API group \"\" in the namespace \"prod\" without approval: ",
		"the workload would run as service account \"powerful\" (spec.serviceAccountName)",
		"without approval workloads run as \"default\"",
	])
}

test_deprecated_service_account_field_counts if {
	needs_approval(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccount", "powerful")))
}

test_every_workload_template_checked if {
	every resource, path in {
		"apps/deployments": "spec.template.spec", "apps/statefulsets": "spec.template.spec",
		"apps/daemonsets": "spec.template.spec", "apps/replicasets": "spec.template.spec",
		"/replicationcontrollers": "spec.template.spec", "batch/jobs": "spec.template.spec",
		"/podtemplates": "template.spec", "batch/cronjobs": "spec.jobTemplate.spec.template.spec",
	} {
		parts := split(resource, "/")
		every verb in ["create", "update", "patch"] {
			inp := pod_call(verb, parts[0], parts[1], "prod", path, sa_spec("serviceAccountName", "ci-admin"))
			needs_approval(inp)
			says(inp, [concat("", ["(", path, ".serviceAccountName)"])])
		}
	}
}

test_dry_run_of_other_service_account_needs_no_approval if {
	# The dry run needs no approval (it runs nothing); the real create does.
	allowed(dry(pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))))
}

# kubectl apply --server-side is a PATCH that creates the pod when it does not exist: without an
# oldObject (no such pod, or the agent cannot read it) a patch or update may create, so it chooses
# the account like a create does.
test_patch_or_update_that_may_create_a_pod_needs_approval if {
	every verb in ["patch", "update"] {
		inp := pod_call(verb, "", "pods", "work", "spec", sa_spec("serviceAccountName", "deployer"))
		needs_approval(inp)
		says(inp, [
			concat("", ["cannot ", verb, " resource \"pods\" in API group \"\" in the namespace \"work\" without approval: "]),
			"the workload would run as service account \"deployer\" (spec.serviceAccountName)",
		])
		allowed(pod_call(verb, "", "pods", "work", "spec", plain_spec))
		allowed(dry(inp))
	}
}

test_pod_updates_and_ephemeral_containers_not_held if {
	# The pod exists: its account was chosen when it was created and cannot change.
	allowed(existing(pod_call("patch", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))))
	allowed(existing(pod_call("update", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful"))))
	# pods/ephemeralcontainers never creates a pod, with or without the old one.
	inp := object.union(pod_call("update", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "powerful")), {"request": {"subresource": "ephemeralcontainers"}})
	allowed(inp)
	allowed(existing(inp))
}

# Templates are judged on every write, of existing objects too: a changed template runs new pods.
test_template_of_existing_workload_judged_on_update_and_patch if {
	every verb in ["update", "patch"] {
		inp := pod_call(verb, "apps", "deployments", "prod", "spec.template.spec", sa_spec("serviceAccountName", "ci-admin"))
		needs_approval(with_old(inp, {"metadata": {"name": "x", "namespace": "prod"}, "spec": {"template": {"spec": plain_spec}}}))
		needs_approval(existing(inp))
		allowed(existing(pod_call(verb, "apps", "deployments", "prod", "spec.template.spec", plain_spec)))
	}
}

test_allowed_accounts_from_data if {
	inp := pod_call("create", "", "pods", "prod", "spec", sa_spec("serviceAccountName", "builder"))
	allowed(inp) with data.kubegate.workloadServiceAccounts as ["default", "builder"]
	allowed(inp) with data.kubegate.workloadServiceAccounts as ["default", "prod/builder"]
	needs_approval(inp) with data.kubegate.workloadServiceAccounts as ["default", "staging/builder"]
	needs_approval(pod_call("create", "", "pods", "prod", "spec", plain_spec)) with data.kubegate.workloadServiceAccounts as ["builder"]
}

token_pod := {"kind": "Pod", "metadata": {"name": "borrow", "namespace": "work"},
	"spec": {"containers": [{"name": "c", "image": "busybox"}], "volumes": [{"name": "t", "secret": {"secretName": "deployer-token-x1"}}]}}

token_pod_input(verb, tokens) := object.union(call(req(verb, "", "pods", "work")), {"object": token_pod, "podSpec": {"path": "spec", "tokenSecrets": tokens}})

test_mounting_another_accounts_token_secret_needs_approval if {
	some r in reasons(token_pod_input("create", {"deployer-token-x1": "deployer"}))
	contains(r, "service account \"deployer\" from Secret \"deployer-token-x1\"")
	not allowed(token_pod_input("create", {"deployer-token-x1": "deployer"}))
}

test_mounting_an_allowed_accounts_token_secret_passes if {
	allowed(token_pod_input("create", {"default-token-abc": "default"}))
	allowed(token_pod_input("create", {}))
}
