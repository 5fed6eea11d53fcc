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
{{ include "perimeter.commonLabels" . }}
{{ include "perimeter.selectorLabels" . }}
{{- end }}

{{- define "perimeter.commonLabels" -}}
helm.sh/chart: {{ include "perimeter.chart" . }}
app.kubernetes.io/version: {{ (.Values.image.tag | default .Chart.AppVersion) | toString | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: perimeter
{{- end }}

{{/*
Labels the Service, PodDisruptionBudget and Deployment select pods by; they must never change across upgrades.
*/}}
{{- define "perimeter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "perimeter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
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
The service account token is mounted only when the Kubernetes provider needs it to reach the API server.
*/}}
{{- define "perimeter.automountToken" -}}
{{- if .Values.providers.kubernetes.enabled }}true{{ else }}{{ .Values.serviceAccount.automount }}{{ end }}
{{- end }}

{{/*
Whether the sandbox provider named $name is switched on by the values.
*/}}
{{- define "perimeter.providerEnabled" -}}
{{- $name := .name }}
{{- $providers := .root.Values.providers }}
{{- if hasKey $providers $name }}{{ if (get $providers $name).enabled }}true{{ end }}{{ end }}
{{- end }}

{{/*
Bundled PostgreSQL (trials only) names.
*/}}
{{- define "perimeter.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "perimeter.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "perimeter.postgresql.labels" -}}
{{ include "perimeter.commonLabels" . }}
{{ include "perimeter.postgresql.selectorLabels" . }}
{{- end }}

{{- define "perimeter.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "perimeter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: postgresql
{{- end }}

{{/*
Refuses values that cannot make a working installation, with a message saying what to set.
*/}}
{{- define "perimeter.validate" -}}
{{- $db := .Values.database }}
{{- if and .Values.postgresql.enabled $db.embedded }}
{{- fail "Choose one database: postgresql.enabled (a bundled PostgreSQL) or database.embedded (PostgreSQL inside the Perimeter pod), not both." }}
{{- end }}
{{- if and .Values.postgresql.enabled (not .Values.existingSecret) }}
{{- fail "postgresql.enabled needs existingSecret: a Secret holding POSTGRES_PASSWORD (the bundled database's password, e.g. openssl rand -hex 24) and PERIMETER_BOOTSTRAP_ADMIN_KEY." }}
{{- end }}
{{- if not (or .Values.postgresql.enabled $db.embedded $db.url .Values.existingSecret) }}
{{- fail "Perimeter needs a PostgreSQL database. Set existingSecret to a Secret holding DATABASE_URL (jdbc:postgresql://… or postgres://user:password@host:5432/db), or database.url plus SPRING_DATASOURCE_USERNAME/SPRING_DATASOURCE_PASSWORD in existingSecret. For a trial only: postgresql.enabled=true (a bundled single PostgreSQL) or database.embedded=true (PostgreSQL inside the pod, lost on restart)." }}
{{- end }}
{{- if and $db.url (or (regexMatch "://[^/@]*:[^/@]*@" $db.url) (regexMatch "(?i)[?&]password=" $db.url)) }}
{{- fail "database.url must not carry a password: put SPRING_DATASOURCE_PASSWORD (or the whole DATABASE_URL) in existingSecret." }}
{{- end }}
{{- $replicas := int .Values.replicaCount }}
{{- if and (or $db.embedded .Values.providers.local.enabled) (or (gt $replicas 1) .Values.autoscaling.enabled) }}
{{- fail "database.embedded and providers.local keep state inside one pod: run them with replicaCount 1 and autoscaling.enabled=false." }}
{{- end }}
{{- if not (include "perimeter.providerEnabled" (dict "root" . "name" .Values.sandbox.defaultProvider)) }}
{{- fail (printf "sandbox.defaultProvider is %q but providers.%s.enabled is not true: enable it, or pick an enabled provider." .Values.sandbox.defaultProvider .Values.sandbox.defaultProvider) }}
{{- end }}
{{- $credentials := dict "daytona" "DAYTONA_API_KEY" "vercel" "VERCEL_TOKEN or VERCEL_OIDC_TOKEN" "cloudflare" "CLOUDFLARE_SANDBOX_BRIDGE_TOKEN" "modal" "MODAL_TOKEN_ID and MODAL_TOKEN_SECRET" }}
{{- range $name, $keys := $credentials }}
{{- if and (get $.Values.providers $name).enabled (not $.Values.existingSecret) }}
{{- fail (printf "providers.%s needs its credentials: set existingSecret to a Secret holding %s." $name $keys) }}
{{- end }}
{{- end }}
{{- if and .Values.providers.cloudflare.enabled (not .Values.providers.cloudflare.bridgeUrl) }}
{{- fail "providers.cloudflare.bridgeUrl is required: the URL of your deployed sandbox bridge Worker." }}
{{- end }}
{{- end }}

{{/*
Container env: where the database is. Secrets are only ever referenced, never rendered.
*/}}
{{- define "perimeter.databaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: SPRING_DATASOURCE_URL
  value: {{ printf "jdbc:postgresql://%s:5432/%s" (include "perimeter.postgresql.fullname" .) .Values.postgresql.auth.database | quote }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ .Values.postgresql.auth.username | quote }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.existingSecret }}
      key: POSTGRES_PASSWORD
{{- else if .Values.database.url }}
- name: SPRING_DATASOURCE_URL
  value: {{ .Values.database.url | quote }}
{{- with .Values.database.username }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- else if and .Values.existingSecret (not .Values.database.embedded) }}
{{- /* Not optional: without it Perimeter would quietly fall back to its embedded database. */}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.existingSecret }}
      key: DATABASE_URL
{{- end }}
{{- end }}

{{/*
Container env: every credential Perimeter reads, each an optional key of existingSecret named like the variable.
Provider credentials are referenced only for the providers that are switched on.
*/}}
{{- define "perimeter.secretEnv" -}}
{{- if .Values.existingSecret }}
{{- $keys := list "PERIMETER_BOOTSTRAP_ADMIN_KEY" "PERIMETER_REPLICA_SECRET" }}
{{- if and (not .Values.postgresql.enabled) (not .Values.database.embedded) }}
{{- $keys = concat $keys (list "SPRING_DATASOURCE_USERNAME" "SPRING_DATASOURCE_PASSWORD") }}
{{- end }}
{{- if .Values.providers.daytona.enabled }}{{ $keys = append $keys "DAYTONA_API_KEY" }}{{ end }}
{{- if .Values.providers.vercel.enabled }}{{ $keys = concat $keys (list "VERCEL_TOKEN" "VERCEL_OIDC_TOKEN") }}{{ end }}
{{- if .Values.providers.cloudflare.enabled }}{{ $keys = append $keys "CLOUDFLARE_SANDBOX_BRIDGE_TOKEN" }}{{ end }}
{{- if .Values.providers.modal.enabled }}{{ $keys = concat $keys (list "MODAL_TOKEN_ID" "MODAL_TOKEN_SECRET") }}{{ end }}
{{- range $keys }}
{{- if not (and (eq . "SPRING_DATASOURCE_USERNAME") $.Values.database.username) }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.existingSecret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}
{{- end }}
{{- end }}
