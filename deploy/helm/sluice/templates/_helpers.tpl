{{/* Labels every object carries. */}}
{{- define "sluice.labels" -}}
app.kubernetes.io/part-of: sluice
{{- end -}}

{{/* The sluice image. */}}
{{- define "sluice.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* sluice's xDS Service, as proxies reach it. */}}
{{- define "sluice.xdsAddress" -}}
sluice-xds.{{ .Release.Namespace }}.svc:{{ .Values.controller.xdsPort }}
{{- end -}}

{{/* A container's securityContext with nothing: no privilege, no capability, a read-only root. */}}
{{- define "sluice.unprivileged" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: { drop: [ALL] }
{{- end -}}
