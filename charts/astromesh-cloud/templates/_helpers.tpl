{{- define "astromesh.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "astromesh.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "astromesh.operatorServiceAccount" -}}
{{- default (printf "%s-operator" (include "astromesh.fullname" .)) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "astromesh.apiServiceAccount" -}}
{{- default (printf "%s-api" (include "astromesh.fullname" .)) .Values.api.serviceAccount.name -}}
{{- end -}}
