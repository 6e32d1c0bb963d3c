{{/* Chart name, truncated to 63 characters (the DNS label limit of Kubernetes names). */}}
{{- define "cdc-dynamodb-sink.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; a release name that already contains the chart name is used as is. */}}
{{- define "cdc-dynamodb-sink.fullname" -}}
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

{{- define "cdc-dynamodb-sink.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cdc-dynamodb-sink.labels" -}}
helm.sh/chart: {{ include "cdc-dynamodb-sink.chart" . }}
{{ include "cdc-dynamodb-sink.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cdc-dynamodb-sink
{{- end }}

{{/* Selector labels never change over a release's life: a Deployment's selector is immutable. */}}
{{- define "cdc-dynamodb-sink.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cdc-dynamodb-sink.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cdc-dynamodb-sink.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cdc-dynamodb-sink.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cdc-dynamodb-sink.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The container's name, also used by KEDA's TriggerAuthentication to read its env. */}}
{{- define "cdc-dynamodb-sink.containerName" -}}
sink
{{- end }}

{{- define "cdc-dynamodb-sink.routesPath" -}}
/etc/cdc-dynamodb-sink/routes/routes.json
{{- end }}

{{- define "cdc-dynamodb-sink.saslPasswordPath" -}}
/var/run/secrets/cdc-dynamodb-sink/kafka-sasl/password
{{- end }}

{{/* Where kafka.clientCertificate's Secret is mounted: the certificate and key as two files. */}}
{{- define "cdc-dynamodb-sink.clientCertDir" -}}
/var/run/secrets/cdc-dynamodb-sink/kafka-client
{{- end }}

{{/* SHUTDOWN_DEADLINE_MS as an integer (the service's default when unset or empty). */}}
{{- define "cdc-dynamodb-sink.shutdownDeadlineMs" -}}
{{- $raw := toString (default "20000" (get .Values.config "SHUTDOWN_DEADLINE_MS")) }}
{{- if not (regexMatch "^[0-9]+$" $raw) }}
{{- fail (printf "config.SHUTDOWN_DEADLINE_MS must be a whole number of milliseconds, got %q" $raw) }}
{{- end }}
{{- $raw }}
{{- end }}

{{/*
terminationGracePeriodSeconds: after SIGTERM the service drains in-flight writes for up to
SHUTDOWN_DEADLINE_MS, then commits and leaves the group; SIGKILL before that loses the final commit
(safe, since writes are conditional, but it replays records and delays the rebalance). Derived as
the deadline rounded up + 10 s; an explicit value must leave at least 5 s after the deadline.
*/}}
{{- define "cdc-dynamodb-sink.terminationGracePeriodSeconds" -}}
{{- $deadlineMs := int64 (include "cdc-dynamodb-sink.shutdownDeadlineMs" .) }}
{{- $deadlineS := div (add $deadlineMs 999) 1000 }}
{{- $set := .Values.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $set }}
{{- add $deadlineS 10 }}
{{- else }}
{{- $min := add $deadlineS 5 }}
{{- if lt (int64 $set) (int64 $min) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least %d: SHUTDOWN_DEADLINE_MS is %d ms and the final commit and group leave need ~5 s more. Raise it, lower config.SHUTDOWN_DEADLINE_MS, or leave terminationGracePeriodSeconds empty to derive it." (int64 $set) (int64 $min) $deadlineMs) }}
{{- end }}
{{- int64 $set }}
{{- end }}
{{- end }}

{{/* KAFKA_TOPICS split into a list of non-empty, trimmed names. */}}
{{- define "cdc-dynamodb-sink.topicList" -}}
{{- $topics := list }}
{{- range splitList "," (toString (default "" (get .Values.config "KAFKA_TOPICS"))) }}
{{- if trim . }}{{ $topics = append $topics (trim .) }}{{ end }}
{{- end }}
{{- toJson $topics }}
{{- end }}

{{/* Cross-field rules the JSON schema cannot express; every template includes this once. */}}
{{- define "cdc-dynamodb-sink.validate" -}}
{{- $c := .Values.config }}
{{- $mode := .Values.autoscaling.mode }}
{{- $a := .Values.autoscaling }}
{{- if and (ne $mode "none") (gt (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) is greater than autoscaling.maxReplicas (%d)" (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- end }}
{{- if and (eq $mode "keda") (kindIs "invalid" $a.partitions) }}
{{- fail "autoscaling.partitions is required with autoscaling.mode=keda: set it to the total number of partitions of the consumed topics" }}
{{- end }}
{{- if and (ne $mode "none") (not (kindIs "invalid" $a.partitions)) (gt (int64 $a.maxReplicas) (int64 $a.partitions)) }}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds autoscaling.partitions (%d): a consumer group never gives a replica more than one partition's worth of work, so replicas beyond the partition count sit idle. Lower maxReplicas or add partitions." (int64 $a.maxReplicas) (int64 $a.partitions)) }}
{{- end }}
{{- if and (eq $mode "hpa") (lt (int64 $a.minReplicas) 1) }}
{{- fail "autoscaling.minReplicas must be at least 1 with autoscaling.mode=hpa (scaling to zero needs mode keda)" }}
{{- end }}
{{- $iam := eq (toString (get $c "KAFKA_SASL_MECHANISM")) "aws-msk-iam" }}
{{- if and $iam .Values.kafka.saslPassword.existingSecret }}
{{- fail "config.KAFKA_SASL_MECHANISM is aws-msk-iam, which signs a token with the pod's AWS role: remove kafka.saslPassword" }}
{{- end }}
{{- if and (get $c "KAFKA_SASL_MECHANISM") (not $iam) (not .Values.kafka.saslPassword.existingSecret) (not (get $c "KAFKA_SASL_PASSWORD_FILE")) }}
{{- fail (printf "config.KAFKA_SASL_MECHANISM is %q but no password is given: set kafka.saslPassword.existingSecret (the name of an existing Secret) or config.KAFKA_SASL_PASSWORD_FILE" (get $c "KAFKA_SASL_MECHANISM")) }}
{{- end }}
{{- if and .Values.kafka.saslPassword.existingSecret .Values.kafka.saslPassword.mountAsFile (get $c "KAFKA_SASL_PASSWORD_FILE") }}
{{- fail "config.KAFKA_SASL_PASSWORD_FILE conflicts with kafka.saslPassword.mountAsFile, which sets it" }}
{{- end }}
{{- if and .Values.kafka.clientCertificate.existingSecret (or (get $c "KAFKA_SSL_CERT_FILE") (get $c "KAFKA_SSL_KEY_FILE")) }}
{{- fail "config.KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE conflict with kafka.clientCertificate, which mounts the Secret and sets them" }}
{{- end }}
{{- if and .Values.kafka.clientCertificate.existingSecret (ne (toString (get $c "KAFKA_SSL")) "true") }}
{{- fail "kafka.clientCertificate needs config.KAFKA_SSL: \"true\" (a client certificate is only sent over TLS)" }}
{{- end }}
{{- if and .Values.routes (get $c "ROUTES_FILE") }}
{{- fail "config.ROUTES_FILE conflicts with routes, which mounts the routes file and sets ROUTES_FILE" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (not .Values.service.enabled) }}
{{- fail "serviceMonitor.enabled needs service.enabled: the ServiceMonitor selects the Service" }}
{{- end }}
{{- $_ := include "cdc-dynamodb-sink.terminationGracePeriodSeconds" . }}
{{- end }}

{{/*
The container's env: the variables the chart manages, then `config` sorted by name, then extraEnv.
Every name is a variable of the service's contract (src/config/env-spec.ts) or an OTEL_ or AWS_ variable.
*/}}
{{- define "cdc-dynamodb-sink.env" -}}
{{- $c := .Values.config -}}
- name: HEALTH_PORT
  value: {{ .Values.containerPort | toString | quote }}
{{- if not (hasKey $c "OTEL_SERVICE_NAME") }}
- name: OTEL_SERVICE_NAME
  value: {{ include "cdc-dynamodb-sink.fullname" . | quote }}
{{- end }}
{{- if .Values.routes }}
- name: ROUTES_FILE
  value: {{ include "cdc-dynamodb-sink.routesPath" . | quote }}
{{- end }}
{{- with .Values.kafka.saslPassword }}
{{- if .existingSecret }}
{{- if .mountAsFile }}
- name: KAFKA_SASL_PASSWORD_FILE
  value: {{ include "cdc-dynamodb-sink.saslPasswordPath" $ | quote }}
{{- else }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.kafka.clientCertificate }}
{{- if .existingSecret }}
- name: KAFKA_SSL_CERT_FILE
  value: {{ printf "%s/%s" (include "cdc-dynamodb-sink.clientCertDir" $) .certKey | quote }}
- name: KAFKA_SSL_KEY_FILE
  value: {{ printf "%s/%s" (include "cdc-dynamodb-sink.clientCertDir" $) .keyKey | quote }}
{{- end }}
{{- end }}
{{- with .Values.schemaRegistry.password }}
{{- if .existingSecret }}
- name: SCHEMA_REGISTRY_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- end }}
{{- range $name := keys $c | sortAlpha }}
{{- $value := get $c $name }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
