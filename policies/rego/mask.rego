# What the gateway masks on the way back to the agent (docs/policy-input.md, decision "mask"):
#   secrets      Secret data/stringData values everywhere (get, list, watch, Table)
#   keyPatterns  ConfigMap keys and env var names whose values are masked too
#   logPatterns  credentials masked in logs and exec output; where a pattern has a group named
#                "secret", only that group is masked, so the key name stays readable
#   credentials  credentials the API server mints or echoes in answers: a TokenRequest's
#                status.token (kubectl create token), a TokenReview's spec.token, a
#                CertificateSigningRequest's status.certificate. Only an explicit false lets them through.
# The patterns are in data.json so operators can extend them without a new bundle.
package kubegate

default mask_settings := {}

mask_settings := data.kubegate.mask

mask_decision := {
	"secrets": object.get(mask_settings, "secrets", true),
	"keyPatterns": object.get(mask_settings, "keyPatterns", ["(?i)pass|secret|token|key|credential"]),
	"logPatterns": object.get(mask_settings, "logPatterns", []),
	"credentials": object.get(mask_settings, "credentials", true),
}
