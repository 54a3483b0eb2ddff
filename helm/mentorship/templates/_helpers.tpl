{{- define "mentorship.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mentorship.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "mentorship.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* The environment every process shares: the ConfigMap and the Secret. */}}
{{- define "mentorship.envFrom" -}}
- configMapRef:
    name: {{ include "mentorship.fullname" . }}
- secretRef:
    name: {{ .Values.existingSecret }}
{{- end -}}
