package kubegate_test

with_stats(inp, s) := object.union(inp, {"stats": s})

test_deletes_within_budget_allowed if {
	allowed(with_stats(call(req("delete", "", "pods", "prod")), {"requests": 50, "mutations": 9, "deletes": 9, "denied": 0}))
}

test_delete_over_budget_needs_approval if {
	inp := with_stats(call(req("delete", "", "pods", "prod")), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0})
	needs_approval(inp)
	says(inp, ["this session has already deleted 10 objects, its budget is 10"])
}

test_delete_budget_does_not_limit_other_writes if {
	allowed(with_stats(call(req("create", "", "pods", "prod")), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0}))
}

test_mutation_budget if {
	inp := with_stats(call(req("patch", "apps", "deployments", "prod")), {"requests": 500, "mutations": 200, "deletes": 0, "denied": 0})
	needs_approval(inp)
	says(inp, ["this session has already made 200 changes, its budget is 200"])
	allowed(with_stats(call(req("get", "apps", "deployments", "prod")), {"requests": 500, "mutations": 200, "deletes": 0, "denied": 0}))
}

test_budgets_from_data if {
	inp := with_stats(call(req("delete", "", "pods", "prod")), {"requests": 5, "mutations": 2, "deletes": 2, "denied": 0})
	needs_approval(inp) with data.kubegate.budgets as {"deletes": 2}
	allowed(with_stats(call(req("delete", "", "pods", "prod")), {"requests": 5, "mutations": 2000, "deletes": 2000, "denied": 0})) with data.kubegate.budgets as {}
}

test_dry_run_spends_no_budget if {
	inp := with_stats(call(object.union(req("delete", "", "pods", "prod"), {"dryRun": true})), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0})
	allowed(inp)
}

eviction := sub("create", "pods", "eviction", "prod")

# An Eviction deletes the pod: past the delete budget it needs approval like a delete.
test_eviction_over_delete_budget_needs_approval if {
	inp := with_stats(call(eviction), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0})
	needs_approval(inp)
	says(inp, [
		"cannot create resource \"pods/eviction\" in API group \"\" in the namespace \"prod\" without approval: ",
		"this session has already deleted 10 objects, its budget is 10",
	])
	allowed(with_stats(call(eviction), {"requests": 50, "mutations": 9, "deletes": 9, "denied": 0}))
	allowed(with_stats(call(object.union(eviction, {"dryRun": true})), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0}))
}

test_other_pod_subresources_are_not_deletes if {
	every subresource in ["exec", "binding", "ephemeralcontainers"] {
		allowed(with_stats(call(sub("create", "pods", subresource, "prod")), {"requests": 50, "mutations": 10, "deletes": 10, "denied": 0}))
	}
}
