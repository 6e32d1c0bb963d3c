{{/* The text of NOTES.txt, a named template so tests can render it without a cluster. */}}
{{- define "cdc-dynamodb-sink.notes" -}}
{{- $fullname := include "cdc-dynamodb-sink.fullname" . }}
cdc-dynamodb-sink {{ .Chart.AppVersion }} is deployed as {{ $fullname }} in namespace {{ .Release.Namespace }}.

It consumes {{ with .Values.config.KAFKA_TOPICS }}topics {{ . }}{{ else }}topics matching {{ .Values.config.KAFKA_TOPIC_PATTERN }}{{ end }}
from {{ .Values.config.KAFKA_BROKERS }} as group {{ .Values.config.KAFKA_GROUP_ID }},
and writes to DynamoDB table {{ .Values.config.DYNAMODB_TABLE }} in {{ .Values.config.AWS_REGION }}.

Watch the rollout and readiness:
  kubectl -n {{ .Release.Namespace }} rollout status deployment/{{ $fullname }}
  kubectl -n {{ .Release.Namespace }} get pods -l app.kubernetes.io/instance={{ .Release.Name }}
{{- if .Values.service.enabled }}

Health and metrics:
  kubectl -n {{ .Release.Namespace }} port-forward service/{{ $fullname }} {{ .Values.service.port }}
  curl -s localhost:{{ .Values.service.port }}/readyz; curl -s localhost:{{ .Values.service.port }}/metrics
{{- end }}
{{- if .Values.tests.enabled }}

Check readiness through the Service:
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
{{- end }}
{{- if eq .Values.autoscaling.mode "keda" }}

Autoscaling: KEDA scales {{ .Values.autoscaling.minReplicas }}..{{ .Values.autoscaling.maxReplicas }} replicas on consumer lag
(target {{ .Values.autoscaling.keda.lagThreshold }} records per replica, {{ .Values.autoscaling.partitions }} partitions).
  kubectl -n {{ .Release.Namespace }} get scaledobject {{ $fullname }}
{{- else if eq .Values.autoscaling.mode "hpa" }}

Autoscaling: an HPA scales {{ .Values.autoscaling.minReplicas }}..{{ .Values.autoscaling.maxReplicas }} replicas on CPU.
{{- else if and (not (kindIs "invalid" .Values.autoscaling.partitions)) (gt (int64 .Values.replicaCount) (int64 .Values.autoscaling.partitions)) }}

WARNING: replicaCount ({{ .Values.replicaCount }}) exceeds autoscaling.partitions ({{ .Values.autoscaling.partitions }}): the extra replicas sit idle.
{{- end }}
{{- if .Values.config.KAFKA_SASL_MECHANISM }}

Kafka SASL ({{ .Values.config.KAFKA_SASL_MECHANISM }}): the password comes from Secret {{ default "(KAFKA_SASL_PASSWORD_FILE)" .Values.kafka.saslPassword.existingSecret }}.
{{- end }}

On SIGTERM each pod drains in-flight writes for up to {{ include "cdc-dynamodb-sink.shutdownDeadlineMs" . }} ms
(terminationGracePeriodSeconds: {{ include "cdc-dynamodb-sink.terminationGracePeriodSeconds" . }}).
{{- end }}
