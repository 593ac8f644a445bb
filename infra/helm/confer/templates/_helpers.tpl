{{/* Names and labels. */}}
{{- define "confer.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "confer.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "confer.labels" -}}
{{ include "confer.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "confer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "confer.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference: repository, then @digest if given, else :tag (default: the chart's appVersion). */}}
{{- define "confer.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "confer.appImage" -}}
{{- include "confer.image" (dict "image" .Values.image "appVersion" .Chart.AppVersion) -}}
{{- end -}}

{{- define "confer.mediaImage" -}}
{{- include "confer.image" (dict "image" .Values.media.image "appVersion" .Chart.AppVersion) -}}
{{- end -}}

{{/* The API's in-cluster address. */}}
{{- define "confer.apiUrl" -}}
{{- printf "http://%s-api.%s.svc.cluster.local:%d" (include "confer.fullname" .) .Release.Namespace (int .Values.api.port) -}}
{{- end -}}

{{/* One environment variable from a key of a secret group; nothing when the group is off. */}}
{{- define "confer.secretEnv" -}}
{{- $group := index .root.Values.secrets .group -}}
{{- if $group.existingSecret }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $group.existingSecret }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* What every control-plane process (api, worker, migrations) reads: settings, then secrets by reference. */}}
{{- define "confer.appEnv" -}}
{{- $c := .Values.config -}}
- name: CONFER_ENV
  value: production
- name: CONFER_PUBLIC_URL
  value: {{ $c.publicUrl | quote }}
- name: CONFER_LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: CONFER_MAIL_FROM
  value: {{ $c.mailFrom | quote }}
- name: CONFER_DATA_DIR
  value: /tmp/confer
{{- with $c.modules }}
- name: CONFER_MODULES
  value: {{ join "," . | quote }}
{{- end }}
{{- with $c.corsOrigins }}
- name: CONFER_CORS_ORIGINS
  value: {{ join "," . | quote }}
{{- end }}
{{- with $c.videoRegion }}
- name: CONFER_VIDEO_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $c.stunUrls }}
- name: CONFER_VIDEO_STUN_URLS
  value: {{ join "," . | quote }}
{{- end }}
{{- $turnUrls := $c.turnUrls -}}
{{- if .Values.turn.enabled -}}
{{- $host := printf "%s:%d" .Values.turn.host (int .Values.turn.port) -}}
{{- $turnUrls = concat $turnUrls (list (printf "turn:%s?transport=udp" $host) (printf "turn:%s?transport=tcp" $host)) -}}
{{- end -}}
{{- with $turnUrls }}
- name: CONFER_VIDEO_TURN_URLS
  value: {{ join "," . | quote }}
{{- end }}
{{- range .Values.extraEnv }}
- name: {{ .name }}
  value: {{ .value | quote }}
{{- end }}
{{- include "confer.secretEnv" (dict "root" . "group" "database" "name" "CONFER_DATABASE_URL" "key" "database-url") }}
{{- include "confer.secretEnv" (dict "root" . "group" "redis" "name" "CONFER_REDIS_URL" "key" "redis-url") }}
{{- include "confer.secretEnv" (dict "root" . "group" "jwt" "name" "CONFER_JWT_SIGNING_KEY" "key" "jwt-signing-key") }}
{{- include "confer.secretEnv" (dict "root" . "group" "jwt" "name" "CONFER_JWT_VERIFICATION_KEYS" "key" "jwt-verification-keys" "optional" true) }}
{{- include "confer.secretEnv" (dict "root" . "group" "janus" "name" "CONFER_VIDEO_JANUS_TOKEN_SECRET" "key" "janus-token-secret") }}
{{- include "confer.secretEnv" (dict "root" . "group" "janus" "name" "CONFER_VIDEO_VIDEOROOM_ADMIN_KEY" "key" "janus-room-admin-key") }}
{{- include "confer.secretEnv" (dict "root" . "group" "janus" "name" "CONFER_VIDEO_EVENTS_SECRET" "key" "janus-events-secret") }}
{{- include "confer.secretEnv" (dict "root" . "group" "turn" "name" "CONFER_VIDEO_TURN_SECRET" "key" "turn-secret") }}
{{- include "confer.secretEnv" (dict "root" . "group" "stripe" "name" "CONFER_PAYMENTS_STRIPE_SECRET_KEY" "key" "stripe-secret-key") }}
{{- include "confer.secretEnv" (dict "root" . "group" "stripe" "name" "CONFER_PAYMENTS_STRIPE_WEBHOOK_SECRET" "key" "stripe-webhook-secret") }}
{{- include "confer.secretEnv" (dict "root" . "group" "stripe" "name" "CONFER_PAYMENTS_STRIPE_PUBLISHABLE_KEY" "key" "stripe-publishable-key") }}
{{- include "confer.secretEnv" (dict "root" . "group" "mail" "name" "CONFER_SMTP_URL" "key" "smtp-url") }}
{{- include "confer.secretEnv" (dict "root" . "group" "push" "name" "CONFER_NOTIFICATIONS_APNS_KEY" "key" "apns-key" "optional" true) }}
{{- include "confer.secretEnv" (dict "root" . "group" "push" "name" "CONFER_NOTIFICATIONS_FCM_SERVICE_ACCOUNT" "key" "fcm-service-account" "optional" true) }}
{{- include "confer.secretEnv" (dict "root" . "group" "push" "name" "CONFER_NOTIFICATIONS_VAPID_PRIVATE_KEY" "key" "vapid-private-key" "optional" true) }}
{{- include "confer.secretEnv" (dict "root" . "group" "metrics" "name" "CONFER_METRICS_TOKEN" "key" "metrics-token") }}
{{- end -}}

{{/* A container that may not escalate, with a read-only root filesystem and no capabilities. */}}
{{- define "confer.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Pods of these components may reach the media nodes' control ports. */}}
{{- define "confer.controlPlaneSelector" -}}
matchExpressions:
  - key: app.kubernetes.io/instance
    operator: In
    values: [{{ .Release.Name | quote }}]
  - key: app.kubernetes.io/component
    operator: In
    values: [api, worker]
{{- end -}}
