package kubegate_test

test_mask_defaults if {
	m := decide(call(req("get", "", "secrets", "prod"))).mask
	m.secrets == true
	m.credentials == true
	m.keyPatterns == ["(?i)pass|secret|token|key|credential"]
	count(m.logPatterns) >= 7
}

test_mask_on_every_decision if {
	decide(call(req("delete", "", "pods", "kube-system"))).mask.secrets == true
	decide(call(req("impersonate", "", "users", ""))).mask.secrets == true
}

test_log_patterns_match_credentials if {
	# Go's RE2 reads the patterns like Java does, except named groups (?<secret>...): strip those here.
	patterns := [replace(p, "(?<secret>", "(") | some p in decide(call(req("get", "", "pods", "prod"))).mask.logPatterns]
	every line in [
		"using key AKIAIOSFODNN7EXAMPLE",
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
		"-----BEGIN RSA PRIVATE KEY-----",
		"password=hunter2",
		"token: abc123",
		"Authorization: Bearer abc.def.ghi",
		"postgres://app:s3cret@db:5432/app",
	] {
		some p in patterns
		regex.match(p, line)
	}
	not any_match(patterns, "GET /healthz 200 in 3ms")
}

any_match(patterns, line) if {
	some p in patterns
	regex.match(p, line)
}
