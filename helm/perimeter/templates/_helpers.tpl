{{/*
Chart name, truncated to the 63 characters Kubernetes allows in a label value.
*/}}
{{- define "perimeter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: release-chart unless the release name already contains the chart name.
*/}}
{{- define "perimeter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "perimeter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "perimeter.labels" -}}
helm.sh/chart: {{ include "perimeter.chart" . }}
{{ include "perimeter.selectorLabels" . }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | toString | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels the Service and Deployment select pods by; they must never change across upgrades.
*/}}
{{- define "perimeter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "perimeter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "perimeter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "perimeter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "perimeter.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
The Secret this chart creates, when it needs one (a password or admin key given as a value).
*/}}
{{- define "perimeter.secretName" -}}
{{- include "perimeter.fullname" . }}
{{- end }}

{{- define "perimeter.createsDatabaseSecret" -}}
{{- if and (not .Values.database.existingSecret) .Values.database.password }}true{{ end }}
{{- end }}

{{- define "perimeter.createsAdminKeySecret" -}}
{{- if and (not .Values.bootstrapAdminKey.existingSecret) .Values.bootstrapAdminKey.value }}true{{ end }}
{{- end }}

{{- define "perimeter.databasePasswordSecret" -}}
{{- .Values.database.existingSecret | default (include "perimeter.secretName" .) }}
{{- end }}

{{- define "perimeter.adminKeySecret" -}}
{{- .Values.bootstrapAdminKey.existingSecret | default (include "perimeter.secretName" .) }}
{{- end }}
