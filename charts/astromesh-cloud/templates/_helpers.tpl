{{- define "astromesh.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- /*
The name of one of the release's objects: `<fullname>-<component>`, at most 52 characters. That
is a StatefulSet's limit (its pods' controller-revision-hash label appends 11 characters to the
name and must stay within 63), and it keeps every Service name a valid DNS label as well.
Usage: include "astromesh.componentName" (list . "api")
*/}}
{{- define "astromesh.componentName" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $base := include "astromesh.fullname" $root | trunc (int (sub 51 (len $component))) | trimSuffix "-" -}}
{{- printf "%s-%s" $base $component -}}
{{- end -}}

{{- define "astromesh.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "astromesh.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "astromesh.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: astromesh-cloud
{{- end -}}

{{- /*
The Cloud API's pods carry exactly these labels, and the operator's runtime settings name them
(`api.podLabels`): each org's NetworkPolicy admits only pods with these labels in the release
namespace to its runtime. Both come from this one definition, so they cannot drift apart.
*/}}
{{- define "astromesh.apiSelectorLabels" -}}
{{ include "astromesh.selectorLabels" . }}
app.kubernetes.io/component: api
{{- end -}}

{{- define "astromesh.operatorSelectorLabels" -}}
{{ include "astromesh.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "astromesh.postgresqlSelectorLabels" -}}
{{ include "astromesh.selectorLabels" . }}
app.kubernetes.io/component: postgresql
{{- end -}}

{{- define "astromesh.operatorServiceAccount" -}}
{{- default (printf "%s-operator" (include "astromesh.fullname" .)) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "astromesh.apiServiceAccount" -}}
{{- default (printf "%s-api" (include "astromesh.fullname" .)) .Values.api.serviceAccount.name -}}
{{- end -}}

{{- define "astromesh.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- /* The runtime pods' image: the chart's image unless runtime.image names another. */}}
{{- define "astromesh.runtimeImage" -}}
{{- $repository := .Values.runtime.image.repository | default .Values.image.repository -}}
{{- $tag := .Values.runtime.image.tag | default .Values.image.tag | default .Chart.AppVersion -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{- /* Pod Security `restricted`, as the image runs: uid/gid 10001, nothing written outside /tmp. */}}
{{- define "astromesh.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "astromesh.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- /* Where the JWT signing key and the provider-key master key live: the user's Secret or ours. */}}
{{- define "astromesh.keysSecretName" -}}
{{- .Values.secrets.existingSecret | default (include "astromesh.componentName" (list . "keys")) -}}
{{- end -}}

{{- define "astromesh.jwtSecretKey" -}}
{{- if .Values.secrets.existingSecret }}{{ .Values.secrets.jwtSecretKey }}{{ else }}jwt-secret{{ end -}}
{{- end -}}

{{- define "astromesh.masterKeyKey" -}}
{{- if .Values.secrets.existingSecret }}{{ .Values.secrets.masterKeyKey }}{{ else }}master-key{{ end -}}
{{- end -}}

{{- define "astromesh.isBundledDatabase" -}}
{{- if eq .Values.database.mode "bundled" }}true{{ end -}}
{{- end -}}

{{- /* The Secret that holds DATABASE_URL (and the memory admin URL): the user's, or the bundled PostgreSQL's. */}}
{{- define "astromesh.databaseSecretName" -}}
{{- if include "astromesh.isBundledDatabase" . -}}
{{- include "astromesh.componentName" (list . "postgresql") -}}
{{- else -}}
{{- .Values.database.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "astromesh.databaseUrlKey" -}}
{{- if include "astromesh.isBundledDatabase" . }}database-url{{ else }}{{ .Values.database.external.urlKey }}{{ end -}}
{{- end -}}

{{- define "astromesh.memoryAdminUrlKey" -}}
{{- if include "astromesh.isBundledDatabase" . }}memory-admin-url{{ else }}{{ .Values.database.external.memoryAdminUrlKey }}{{ end -}}
{{- end -}}

{{- define "astromesh.postgresqlHost" -}}
{{- printf "%s.%s.svc.%s" (include "astromesh.componentName" (list . "postgresql")) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{- /*
What the operator gives every org namespace (operator/config/org-runtime-settings.ts): the
runtime image, replicas, resources, RuntimeClass and quota from `runtime.*`; who may call a
runtime (the API's namespace and pod labels); and where a runtime may connect besides DNS and
the public internet: `runtime.egressAllow`, plus the bundled PostgreSQL when it holds
conversation memory (the runtime connects to it with its org's own role).
*/}}
{{- define "astromesh.runtimeSettings" -}}
{{- $runtime := .Values.runtime -}}
{{- $egress := list -}}
{{- range $runtime.egressAllow }}
{{- $egress = append $egress . -}}
{{- end }}
{{- if and .Values.memory.enabled (include "astromesh.isBundledDatabase" .) }}
{{- $postgresql := dict "namespace" .Release.Namespace "podLabels" (include "astromesh.postgresqlSelectorLabels" . | fromYaml) "port" 5432 -}}
{{- $egress = append $egress $postgresql -}}
{{- end }}
{{- $api := dict "namespace" .Release.Namespace "podLabels" (include "astromesh.apiSelectorLabels" . | fromYaml) -}}
{{- /* Quantities as strings, as the operator's schema wants them, even when given as numbers (--set). */}}
{{- $resources := dict -}}
{{- range $kind, $amounts := $runtime.resources }}
{{- $_ := set $resources $kind (dict "cpu" (toString $amounts.cpu) "memory" (toString $amounts.memory)) -}}
{{- end }}
{{- $quota := dict -}}
{{- range $key, $value := $runtime.quota }}
{{- $_ := set $quota $key (ternary $value (toString $value) (has $key (list "pods" "cloudAgents"))) -}}
{{- end }}
{{- $settings := dict "image" (include "astromesh.runtimeImage" .) "imagePullPolicy" ($runtime.image.pullPolicy | default .Values.image.pullPolicy) "replicas" $runtime.replicas "resources" $resources "dataSizeLimit" (toString $runtime.dataSizeLimit) "quota" $quota "api" $api "egressAllow" $egress -}}
{{- with $runtime.runtimeClassName }}
{{- $_ := set $settings "runtimeClassName" . -}}
{{- end }}
{{- with $runtime.imagePullSecrets }}
{{- $_ := set $settings "imagePullSecrets" (include "astromesh.runtimePullSecretNames" $ | fromYamlArray) -}}
{{- end }}
{{- toYaml $settings -}}
{{- end -}}

{{- /*
A pod template's labels: the chart's labels and the component's selector labels.
Usage: include "astromesh.podLabels" (list . "astromesh.apiSelectorLabels")
*/}}
{{- define "astromesh.podLabels" -}}
{{- $root := index . 0 -}}
{{- merge (include (index . 1) $root | fromYaml) (include "astromesh.labels" $root | fromYaml) | toYaml -}}
{{- end -}}

{{- /* The names of runtime.imagePullSecrets, as a YAML list. */}}
{{- define "astromesh.runtimePullSecretNames" -}}
{{- $names := list -}}
{{- range .Values.runtime.imagePullSecrets }}
{{- $names = append $names .name -}}
{{- end }}
{{- toYaml $names -}}
{{- end -}}
