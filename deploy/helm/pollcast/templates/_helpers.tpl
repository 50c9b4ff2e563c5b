{{/* Names and labels. */}}
{{- define "pollcast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pollcast.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "pollcast.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "pollcast.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pollcast.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "pollcast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pollcast
{{- end -}}

{{/* Selects every pod of this release (NetworkPolicy peers). */}}
{{- define "pollcast.releaseSelector" -}}
app.kubernetes.io/name: {{ include "pollcast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The services, in one place: values key -> app name, topic consumed and consumer group (KEDA, warnings),
   and whether it loads element definitions (elements.configMap). */}}
{{- define "pollcast.catalog" -}}
instanceService: { app: instance-service, publicApi: true, loadsElements: true }
pollerService: { app: poller-service, publicApi: true, loadsElements: true, topic: pollcast.instances.v1, prefixedGroup: false, group: poller-service.instances }
normalizer: { app: normalizer, publicApi: false, topic: pollcast.changes.raw.v1, prefixedGroup: true, group: pollcast-normalizer }
dispatcher: { app: dispatcher, publicApi: true, topic: pollcast.events.v1, prefixedGroup: true, group: pollcast-dispatcher-events }
{{- end -}}

{{/* Arguments: dict "root" $ "key" <values key>. */}}
{{- define "pollcast.componentName" -}}
{{- $app := get (get (include "pollcast.catalog" .root | fromYaml) .key) "app" -}}
{{- printf "%s-%s" (include "pollcast.fullname" .root) $app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pollcast.selectorLabels" -}}
{{- $app := get (get (include "pollcast.catalog" .root | fromYaml) .key) "app" -}}
{{ include "pollcast.releaseSelector" .root }}
app.kubernetes.io/component: {{ $app }}
{{- end -}}

{{- define "pollcast.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "pollcast.ingressScheme" -}}
{{- if .Values.ingress.tls }}https{{ else }}http{{ end -}}
{{- end -}}

{{/* Internal API of instance-service: its management port, inside the cluster. */}}
{{- define "pollcast.instanceServiceUrl" -}}
{{- printf "http://%s:%v" (include "pollcast.componentName" (dict "root" . "key" "instanceService")) .Values.ports.management -}}
{{- end -}}

{{- define "pollcast.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: set its existingSecret (a Secret you create; see the chart README)" .path) .secret.existingSecret }}
      key: {{ .secret.key }}
{{- end -}}

{{/* Every variable a service's container gets. Arguments: dict "root" $ "key" <values key>. */}}
{{- define "pollcast.env" -}}
{{- $root := .root -}}
{{- $values := $root.Values -}}
{{- $svc := get $values.services .key -}}
{{- $catalog := get (include "pollcast.catalog" $root | fromYaml) .key -}}
- name: NODE_ENV
  value: production
- name: HOST
  value: 0.0.0.0
- name: PORT
  value: {{ $values.ports.public | quote }}
- name: MANAGEMENT_PORT
  value: {{ $values.ports.management | quote }}
- name: LOG_LEVEL
  value: {{ $values.logLevel | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ mul $svc.shutdownTimeoutSeconds 1000 | quote }}
{{ include "pollcast.secretEnv" (dict "name" "DATABASE_URL" "secret" $values.database "path" "database") }}
- name: DATABASE_POOL_SIZE
  value: {{ $values.database.poolSize | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers: set the bootstrap servers (host:port[,host:port…])" $values.kafka.brokers | quote }}
- name: POLLCAST_TOPIC_PREFIX
  value: {{ $values.kafka.topicPrefix | quote }}
{{- if and $values.elements.configMap $catalog.loadsElements }}
- name: POLLCAST_ELEMENTS_DIR
  value: /etc/pollcast/elements
{{- end }}
- name: KAFKA_CREATE_TOPICS
  value: {{ $values.kafka.createTopics | quote }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ $values.kafka.topicPartitions | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ $values.kafka.replicationFactor | quote }}
{{- with $values.kafka.tls }}
{{- if .enabled }}
- name: KAFKA_SSL
  value: "true"
- name: KAFKA_SSL_REJECT_UNAUTHORIZED
  value: {{ .rejectUnauthorized | quote }}
{{- if .caSecret.name }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/pollcast/kafka-ca/{{ .caSecret.key }}
{{- end }}
{{- if .clientCertSecret.name }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/pollcast/kafka-client/{{ .clientCertSecret.certKey }}
- name: KAFKA_SSL_KEY_FILE
  value: /etc/pollcast/kafka-client/{{ .clientCertSecret.keyKey }}
{{- end }}
{{- end }}
{{- end }}
{{- with $values.kafka.sasl }}
{{- if .mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username: required with kafka.sasl.mechanism" .username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.passwordSecret.name: required with kafka.sasl.mechanism" .passwordSecret.name }}
      key: {{ .passwordSecret.key }}
{{- end }}
{{- end }}
{{- if ne .key "normalizer" }}
{{ include "pollcast.secretEnv" (dict "name" "POLLCAST_SERVICE_TOKEN" "secret" $values.secrets.serviceToken "path" "secrets.serviceToken") }}
{{- end }}
{{- if or (eq .key "pollerService") (eq .key "dispatcher") }}
- name: INSTANCE_SERVICE_URL
  value: {{ include "pollcast.instanceServiceUrl" $root | quote }}
{{- if and $values.ingress.enabled $values.ingress.hosts.instanceService }}
- name: POLLCAST_CORS_ORIGINS
  value: {{ printf "%s://%s" (include "pollcast.ingressScheme" $root) $values.ingress.hosts.instanceService | quote }}
{{- end }}
{{- end }}
{{- if eq .key "instanceService" }}
{{ include "pollcast.secretEnv" (dict "name" "POLLCAST_ENCRYPTION_KEYS" "secret" $values.secrets.encryptionKeys "path" "secrets.encryptionKeys") }}
{{- if $values.secrets.lookupKey.existingSecret }}
{{ include "pollcast.secretEnv" (dict "name" "POLLCAST_LOOKUP_KEY" "secret" $values.secrets.lookupKey "path" "secrets.lookupKey") }}
{{- end }}
{{- if $values.ingress.enabled }}
{{- with $values.ingress.hosts.pollerService }}
- name: CONSOLE_POLLER_API_BASE
  value: {{ printf "%s://%s" (include "pollcast.ingressScheme" $root) . | quote }}
{{- end }}
{{- with $values.ingress.hosts.dispatcher }}
- name: CONSOLE_DISPATCHER_API_BASE
  value: {{ printf "%s://%s" (include "pollcast.ingressScheme" $root) . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- range $name, $value := merge (dict) $svc.env $values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
