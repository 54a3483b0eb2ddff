{{/* release-chart, or the release alone when it already names the chart (`helm install mentorship`). */}}
{{- define "mentorship.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mentorship.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mentorship.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* The Secret the app reads: the chart's own (secret.create) or an existing one; both are named secret.name. */}}
{{- define "mentorship.secretName" -}}
{{ .Values.secret.name }}
{{- end -}}

{{/* The environment web, workers and scheduler share: the ConfigMap, and the Secret's keys one by one (never
envFrom on the Secret: it may also hold the owner role's MIGRATION_DATABASE_URL, which only the migration Job gets). */}}
{{- define "mentorship.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "mentorship.fullname" . }}
env:
  {{- range $key := list "DATABASE_URL" "REDIS_URL" "SECRET_KEY" }}
  - name: {{ $key }}
    valueFrom:
      secretKeyRef: {name: {{ include "mentorship.secretName" $ }}, key: {{ $key }}}
  {{- end }}
  - name: MAIL_URL
    valueFrom:
      secretKeyRef: {name: {{ include "mentorship.secretName" . }}, key: MAIL_URL, optional: true}
{{- end -}}

{{/* A config or chart-made Secret change rolls every pod (an existing Secret: `kubectl rollout restart`). */}}
{{- define "mentorship.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod level: never root, the runtime's default seccomp profile. */}}
{{- define "mentorship.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.runAsGroup }}
  seccompProfile: {type: RuntimeDefault}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Container level: read-only root filesystem (writes go to emptyDirs), no privilege escalation, no capabilities. */}}
{{- define "mentorship.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  privileged: false
  capabilities: {drop: [ALL]}
  seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "mentorship.tmpVolume" -}}
- name: tmp
  emptyDir: {sizeLimit: {{ .Values.tmpSizeLimit }}}
{{- end -}}

{{- define "mentorship.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Workers and the scheduler serve no HTTP: an exec probe that starts Python with the pod's settings and pings
Redis (their only work source). Nothing in mentorship/jobs writes a heartbeat a probe could read instead. */}}
{{- define "mentorship.redisProbe" -}}
exec:
  command:
    - python
    - -c
    - "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=3, socket_timeout=3).ping()"
timeoutSeconds: 10
{{- end -}}
