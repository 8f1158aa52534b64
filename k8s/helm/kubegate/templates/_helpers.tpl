{{- define "kubegate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubegate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "kubegate.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kubegate.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kubegate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubegate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubegate.labels" -}}
{{ include "kubegate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: kubegate
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "kubegate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kubegate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kubegate.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "kubegate.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "kubegate.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* DNS names of the Service, for the generated certificate. */}}
{{- define "kubegate.serviceNames" -}}
{{- $name := include "kubegate.fullname" . -}}
{{- list $name (printf "%s.%s" $name .Release.Namespace) (printf "%s.%s.svc" $name .Release.Namespace) (printf "%s.%s.svc.cluster.local" $name .Release.Namespace) | toJson -}}
{{- end -}}

{{- define "kubegate.postgresSecretName" -}}
{{- default (printf "%s-postgres" (include "kubegate.fullname" .)) .Values.store.postgres.existingSecret -}}
{{- end -}}

{{/* Refuses value combinations that cannot run safely. */}}
{{- define "kubegate.validate" -}}
{{- if not (has .Values.store.type (list "embedded" "postgres")) -}}
{{- fail (printf "store.type must be embedded or postgres, not %q" .Values.store.type) -}}
{{- end -}}
{{- if not (has .Values.audit.sink (list "file" "s3")) -}}
{{- fail (printf "audit.sink must be file or s3, not %q" .Values.audit.sink) -}}
{{- end -}}
{{- if and (eq .Values.store.type "postgres") (not .Values.store.postgres.host) -}}
{{- fail "store.type=postgres needs store.postgres.host" -}}
{{- end -}}
{{- if and (eq .Values.store.type "postgres") (not .Values.store.postgres.existingSecret) (not .Values.store.postgres.password) -}}
{{- fail "store.type=postgres needs store.postgres.existingSecret (or store.postgres.password)" -}}
{{- end -}}
{{- if and (eq .Values.store.type "postgres") (has .Values.store.postgres.sslMode (list "verify-full" "verify-ca")) (not .Values.store.postgres.ca.existingConfigMap) -}}
{{- fail (printf "store.postgres.sslMode=%s needs store.postgres.ca.existingConfigMap (a ConfigMap with the PEM CA bundle, e.g. RDS global-bundle.pem); or sslMode=require" .Values.store.postgres.sslMode) -}}
{{- end -}}
{{- if not (has .Values.store.postgres.sslMode (list "disable" "allow" "prefer" "require" "verify-ca" "verify-full")) -}}
{{- fail (printf "store.postgres.sslMode must be disable, allow, prefer, require, verify-ca or verify-full, not %q" .Values.store.postgres.sslMode) -}}
{{- end -}}
{{- range $name, $i := .Values.identity.oidc.issuers -}}
{{- if not (regexMatch "^[A-Za-z0-9_-]+$" $name) -}}
{{- fail (printf "identity.oidc.issuers: name %q may hold letters, digits, - and _ only" $name) -}}
{{- end -}}
{{- if not (and $i.url $i.audiences) -}}
{{- fail (printf "identity.oidc.issuers.%s needs url and audiences" $name) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.audit.s3.retention (not (has .Values.audit.s3.retentionMode (list "GOVERNANCE" "COMPLIANCE"))) -}}
{{- fail "audit.s3.retentionMode must be GOVERNANCE or COMPLIANCE" -}}
{{- end -}}
{{- if and (eq .Values.audit.sink "s3") (not .Values.audit.s3.bucket) -}}
{{- fail "audit.sink=s3 needs audit.s3.bucket" -}}
{{- end -}}
{{- if not (has .Values.podAntiAffinity (list "soft" "hard" "none")) -}}
{{- fail "podAntiAffinity must be soft, hard or none" -}}
{{- end -}}
{{- end -}}
