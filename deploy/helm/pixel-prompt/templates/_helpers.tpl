{{/*
Helpers shared by every component. Component helpers take (dict "context" . "component" "<name>"),
as in the goauthentik chart, so one template serves gateway, generation, gallery and web.
*/}}

{{- define "pixel-prompt.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release name alone, so in-cluster URLs stay predictable: http://<release>-gallery:3002. */}}
{{- define "pixel-prompt.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "pixel-prompt.componentName" -}}
{{- printf "%s-%s" (include "pixel-prompt.fullname" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pixel-prompt.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: {{ include "pixel-prompt.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.global.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "pixel-prompt.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pixel-prompt.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "pixel-prompt.componentLabels" -}}
{{ include "pixel-prompt.labels" .context }}
app.kubernetes.io/name: {{ include "pixel-prompt.name" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
A component's values with the global defaults underneath: anything the component sets wins.
Returned as YAML; callers use fromYaml.
*/}}
{{- define "pixel-prompt.values" -}}
{{- $global := deepCopy .context.Values.global -}}
{{- $_ := unset $global "config" -}}
{{- $own := deepCopy (index .context.Values .component) -}}
{{- toYaml (mergeOverwrite $global $own) -}}
{{- end -}}

{{- define "pixel-prompt.image" -}}
{{- $v := fromYaml (include "pixel-prompt.values" .) -}}
{{- $registry := $v.image.registry -}}
{{- $tag := $v.image.tag | default .context.Chart.AppVersion -}}
{{- if $v.image.digest -}}
{{- printf "%s%s@%s" (ternary "" (printf "%s/" $registry) (empty $registry)) $v.image.repository $v.image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" (ternary "" (printf "%s/" $registry) (empty $registry)) $v.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "pixel-prompt.serviceAccountName" -}}
{{- $v := index .context.Values .component -}}
{{- if $v.serviceAccount.create -}}
{{- default (include "pixel-prompt.componentName" .) $v.serviceAccount.name -}}
{{- else -}}
{{- default "default" $v.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret holding REDIS_URL and the CloudFront private key: the user's own, or the chart's. */}}
{{- define "pixel-prompt.secretName" -}}
{{- default (printf "%s-secrets" (include "pixel-prompt.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
Whether a component signs image links with the CloudFront private key: the gateway and the gallery,
when a CDN and the key's entry in the Secret are set. The key is mounted at
/var/run/secrets/cloudfront/private-key.pem and CLOUDFRONT_PRIVATE_KEY_FILE points at it.
*/}}
{{- define "pixel-prompt.cloudfrontKey" -}}
{{- $cdn := .context.Values.cdn -}}
{{- if and (has .component (list "gateway" "gallery")) $cdn.baseUrl $cdn.privateKeySecretKey -}}true{{- end -}}
{{- end -}}

{{- define "pixel-prompt.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis:%d" (include "pixel-prompt.fullname" .) (int .Values.redis.port) -}}
{{- end -}}
{{- end -}}

{{/*
Longest per-call model timeout in ms: the registry's, or the built-in models' 60 s
(libs/models default-models.ts; a test keeps the two equal). Registry entries without timeoutMs
get the registry schema's default, 120 s.
*/}}
{{- define "pixel-prompt.maxModelTimeoutMs" -}}
{{- if .Values.modelRegistry.enabled -}}
{{- $max := 0 -}}
{{- range .Values.modelRegistry.models -}}
{{- $t := int (default 120000 .timeoutMs) -}}
{{- if gt $t $max }}{{ $max = $t }}{{ end -}}
{{- end -}}
{{- $max -}}
{{- else -}}
60000
{{- end -}}
{{- end -}}

{{/*
The worker's drain deadline: long enough for a call started just before SIGTERM to reach its own
timeout, within the schema's 600000 ms ceiling.
*/}}
{{- define "pixel-prompt.generationShutdownMs" -}}
{{- $max := int (include "pixel-prompt.maxModelTimeoutMs" .) -}}
{{- $set := .Values.generation.config.SHUTDOWN_TIMEOUT_MS -}}
{{- $ms := ternary (int $set) (min 600000 (add $max 15000)) (not (empty $set)) -}}
{{- if lt (int $ms) $max -}}
{{- fail (printf "generation.config.SHUTDOWN_TIMEOUT_MS (%d) must be at least the longest model timeout (%d ms)" (int $ms) $max) -}}
{{- end -}}
{{- $ms -}}
{{- end -}}

{{/* Kubernetes must not SIGKILL before the worker's own drain deadline has passed. */}}
{{- define "pixel-prompt.generationGraceSeconds" -}}
{{- $shutdownS := div (add (int (include "pixel-prompt.generationShutdownMs" .)) 999) 1000 -}}
{{- $maxS := div (add (int (include "pixel-prompt.maxModelTimeoutMs" .)) 999) 1000 -}}
{{- $set := .Values.generation.terminationGracePeriodSeconds -}}
{{- $grace := ternary (int $set) (add $shutdownS 15) (not (empty $set)) -}}
{{- if le (int $grace) (int $shutdownS) -}}
{{- fail (printf "generation.terminationGracePeriodSeconds (%d) must exceed the drain deadline (%d s) and the longest model timeout (%d s)" (int $grace) $shutdownS $maxS) -}}
{{- end -}}
{{- $grace -}}
{{- end -}}

{{- define "pixel-prompt.hpaEnabled" -}}
{{- $v := index .context.Values .component -}}
{{- if or $v.autoscaling.enabled (and (hasKey $v.autoscaling "keda") $v.autoscaling.keda.enabled) -}}true{{- end -}}
{{- end -}}

{{/* PromQL label matchers from a map: state="waiting". */}}
{{- define "pixel-prompt.labelMatchers" -}}
{{- $out := list -}}
{{- range $k, $v := . }}{{ $out = append $out (printf "%s=%q" $k (toString $v)) }}{{ end -}}
{{- join "," $out -}}
{{- end -}}
