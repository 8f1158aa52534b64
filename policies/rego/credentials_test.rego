package kubegate_test

named(r, name) := object.union(r, {"name": name})

# The same call with ?dryRun=All (decide() replaces the whole input, so `with input.request...` would not reach it).
dry(inp) := json.patch(inp, [{"op": "replace", "path": "/request/dryRun", "value": true}])

with_object(inp, obj) := object.union(inp, {"object": obj})

token_request := call(named(sub("create", "serviceaccounts", "token", "prod"), "deployer"))

test_token_request_denied if {
	denied(token_request)
	says(token_request, [
		"User \"kubegate:alice\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"prod\": ",
		"a TokenRequest mints a token of service account \"deployer\"",
		"even with dryRun=All",
	])
}

# ?dryRun=All does not stop the API server from signing the token.
test_token_request_denied_on_dry_run if {
	denied(dry(token_request))
}

test_token_request_needs_approval_when_data_allows if {
	needs_approval(token_request) with data.kubegate.credentialRequests as "approval"
	says(token_request, ["it mints a credential: a TokenRequest"]) with data.kubegate.credentialRequests as "approval"
	needs_approval(dry(token_request)) with data.kubegate.credentialRequests as "approval"
}

test_service_account_reads_allowed if {
	allowed(call(named(req("get", "", "serviceaccounts", "prod"), "deployer")))
	allowed(call(req("create", "", "serviceaccounts", "prod")))
}

csr(verb, subresource) := object.union(req(verb, "certificates.k8s.io", "certificatesigningrequests", ""), {"subresource": subresource, "name": "agent-csr"})

test_csr_create_denied_naming_signer if {
	inp := with_object(call(csr("create", "")), {"spec": {"signerName": "kubernetes.io/kube-apiserver-client"}})
	denied(inp)
	says(inp, ["for signer \"kubernetes.io/kube-apiserver-client\""])
	denied(dry(inp))
}

test_csr_create_without_signer_denied if {
	inp := with_object(call(csr("create", "")), {"spec": {}})
	says(inp, ["for signer \"kubernetes.io/legacy-unknown\""])
}

# kubectl apply --server-side creates a CSR with a PATCH: without an oldObject (no such CSR, or
# the agent cannot read it) an update or patch may create one and is judged like a create.
test_csr_patch_or_update_that_may_create_denied if {
	every verb in ["patch", "update"] {
		inp := with_object(call(csr(verb, "")), {"spec": {"signerName": "kubernetes.io/kube-apiserver-client"}})
		denied(inp)
		says(inp, [
			concat("", ["cannot ", verb, " resource \"certificatesigningrequests\" in API group \"certificates.k8s.io\" at the cluster scope: "]),
			"a CertificateSigningRequest for signer \"kubernetes.io/kube-apiserver-client\"",
		])
		denied(dry(inp))
		needs_approval(inp) with data.kubegate.credentialRequests as "approval"
	}
}

test_csr_patch_of_existing_csr_not_judged_as_create if {
	# spec is immutable: a label on an existing CSR requests nothing new.
	obj := {"metadata": {"name": "agent-csr", "labels": {"a": "b"}}, "spec": {"signerName": "kubernetes.io/kube-apiserver-client"}}
	every verb in ["patch", "update"] {
		allowed(with_old(with_object(call(csr(verb, "")), obj), object.remove(obj, ["metadata"])))
	}
}

test_csr_approval_and_status_denied if {
	every verb in ["update", "patch"] {
		says(call(csr(verb, "approval")), ["approving or denying CertificateSigningRequest \"agent-csr\""])
		says(call(csr(verb, "status")), ["writing the status of CertificateSigningRequest \"agent-csr\" issues its certificate"])
	}
}

test_csr_approval_needs_approval_when_data_allows if {
	needs_approval(call(csr("update", "approval"))) with data.kubegate.credentialRequests as "approval"
}

test_csr_reads_and_delete_allowed if {
	allowed(call(csr("get", "")))
	allowed(call(csr("list", "")))
	allowed(call(csr("delete", "")))
}

test_token_secrets_denied if {
	every type in ["kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token"] {
		every verb in ["create", "update", "patch"] {
			inp := with_object(call(req(verb, "", "secrets", "prod")), {"type": type, "metadata": {"name": "t"}})
			denied(inp)
			says(inp, [concat("", ["a Secret of type \"", type, "\" is a credential"])])
		}
	}
}

test_token_secret_update_judged_by_old_type if {
	inp := object.union(call(req("update", "", "secrets", "prod")), {
		"object": {"metadata": {"name": "t"}},
		"oldObject": {"type": "kubernetes.io/service-account-token", "metadata": {"name": "t"}},
	})
	denied(inp)
}

test_opaque_secrets_allowed if {
	allowed(with_object(call(req("create", "", "secrets", "prod")), {"type": "Opaque", "metadata": {"name": "t"}}))
	allowed(with_object(call(req("create", "", "secrets", "prod")), {"metadata": {"name": "t"}}))
	allowed(call(req("delete", "", "secrets", "prod")))
}

test_token_review_denied if {
	inp := call(req("create", "authentication.k8s.io", "tokenreviews", ""))
	denied(inp)
	says(inp, ["a TokenReview tells whether a token is valid"])
}

test_self_subject_reviews_allowed if {
	allowed(call(req("create", "authorization.k8s.io", "selfsubjectaccessreviews", "")))
	allowed(call(req("create", "authorization.k8s.io", "selfsubjectrulesreviews", "prod")))
}

test_pod_certificate_request_denied if {
	denied(call(req("create", "certificates.k8s.io", "podcertificaterequests", "prod")))
}
