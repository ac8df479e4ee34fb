{{/* The release's full name: the release name, or "<release>-driftless" when it doesn't say driftless. */}}
{{- define "driftless.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. Kept free of chart versions so that the plain manifests in
deploy/ can carry the same ones. */}}
{{- define "driftless.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: driftless
{{- end -}}

{{/* Labels the Deployment selects its Pods by and the Service routes by. */}}
{{- define "driftless.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "driftless.serviceAccountName" -}}
{{- default (include "driftless.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "driftless.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
