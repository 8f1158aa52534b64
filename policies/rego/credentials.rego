# Calls that mint a credential: a service-account token, a client certificate, a token Secret the
# controller fills in, a bootstrap token. Whatever the credential is bound to (cluster-admin, a
# node, another user) it works against the API server directly, without kubegate, so one such
# call ends every guarantee the gateway gives. Refused by default; data.kubegate.credentialRequests
# set to "approval" turns the refusals into approvals (a human mints a credential on purpose).
#
# No rule here looks at request.dryRun: a TokenRequest signs and returns a live token even with
# ?dryRun=All (the API server validates the option and never reads it), and a dry-run CSR or
# Secret would only tell the agent the real one passes. A human can always run the real call.
#
# A CSR is judged whenever the call may create one: create, and an update or patch without an
# existing CSR (kubectl apply --server-side creates with a PATCH; writes_new_object, common.rego).
# An update of an existing CSR cannot change its request (spec is immutable).
#
# Considered and left alone: selfsubjectaccessreviews and subjectaccessreviews answer questions
# about permissions and mint nothing; serviceaccounts themselves carry no secret since 1.24.
package kubegate

default credential_requests := "deny"

credential_requests := data.kubegate.credentialRequests

# Why the call mints a credential, for the calls that do: [what, instead].
minted contains [
	concat("", [
		"a TokenRequest mints a token of service account \"", field("name"), "\" that works against the API ",
		"server directly, without kubegate (even with dryRun=All)",
	]),
	"run the workload that needs it with that service account instead, or ask an operator for a token",
] if {
	is_core_resource("serviceaccounts")
	request.subresource == "token"
	request.verb == "create"
}

minted contains [
	concat("", [
		"a CertificateSigningRequest for signer \"", csr_signer, "\" asks for a certificate that, once issued, ",
		"authenticates to the API server or the kubelets without kubegate",
	]),
	"ask an operator to issue the certificate",
] if {
	csr_request
	writes_new_object
}

minted contains [
	concat("", [
		"approving or denying CertificateSigningRequest \"", field("name"), "\" decides whether a credential is issued",
	]),
	"an operator approves CSRs (kubectl certificate approve) with their own credentials",
] if {
	csr_request
	request.subresource == "approval"
	{"update", "patch"}[request.verb]
}

minted contains [
	concat("", [
		"writing the status of CertificateSigningRequest \"", field("name"), "\" issues its certificate, as a signer does",
	]),
	"leave certificates to the cluster's signers",
] if {
	csr_request
	request.subresource == "status"
	{"update", "patch"}[request.verb]
}

# A Secret of one of these types is turned into a credential by the cluster itself: the token
# controller writes a service-account token into the first, the bootstrap authenticator accepts
# the second (in kube-system) as a node's join credential.
credential_secret_types := {
	"kubernetes.io/service-account-token": "the token controller fills it with a token of the service account it names",
	"bootstrap.kubernetes.io/token": "the API server accepts it as a bootstrap token (in kube-system)",
}

minted contains [
	concat("", [
		"a Secret of type \"", type, "\" is a credential: ", why,
		", and that token works against the API server directly, without kubegate",
	]),
	"use a Secret of another type (Opaque) for your own data",
] if {
	is_core_resource("secrets")
	request.subresource == ""
	{"create", "update", "patch"}[request.verb]
	type := secret_type
	why := credential_secret_types[type]
}

# A token oracle: it tells whether a token found somewhere is live and whose it is.
minted contains [
	"a TokenReview tells whether a token is valid and whose it is; kubegate does not let agents test tokens",
	"authenticate to kubegate with your own credentials instead",
] if {
	request.isResourceRequest
	request.apiGroup == "authentication.k8s.io"
	request.resource == "tokenreviews"
	request.verb == "create"
}

# Kubernetes 1.34+: a pod asks for a certificate issued to itself.
minted contains [
	"a PodCertificateRequest asks a signer for a certificate that authenticates without kubegate",
	"ask an operator to configure pod certificates",
] if {
	request.isResourceRequest
	request.apiGroup == "certificates.k8s.io"
	request.resource == "podcertificaterequests"
	{"create", "update", "patch"}[request.verb]
}

csr_request if {
	request.isResourceRequest
	request.apiGroup == "certificates.k8s.io"
	request.resource == "certificatesigningrequests"
}

# The signer is in the body; the legacy default of certificates.k8s.io/v1beta1 applies without one.
csr_signer := s if {
	s := input.object.spec.signerName
	is_string(s)
} else := "kubernetes.io/legacy-unknown"

# The type of the Secret the call produces; the old one counts as well, since "type" is immutable
# and an update of a token Secret (new annotations) makes the controller fill it again.
secret_type := t if {
	t := input.object.type
	is_string(t)
	credential_secret_types[t]
} else := t if {
	t := input.oldObject.type
	is_string(t)
	credential_secret_types[t]
} else := ""

deny contains refusal(concat("", [what, "; ", instead])) if {
	credential_requests != "approval"
	some [what, instead] in minted
}

require_approval contains needs_approval(concat("", ["it mints a credential: ", what])) if {
	credential_requests == "approval"
	some [what, _] in minted
}
