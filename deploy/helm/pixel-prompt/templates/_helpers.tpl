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
A component's drain settings: global.drain with the component's own keys over it, zeros and nulls
included (mergeOverwrite would keep the global value where a component sets 0).
*/}}
{{- define "pixel-prompt.drain" -}}
{{- $drain := deepCopy .context.Values.global.drain -}}
{{- range $key, $value := (index .context.Values .component).drain | default dict }}{{ $_ := set $drain $key $value }}{{ end -}}
{{- toYaml $drain -}}
{{- end -}}

{{/*
STORAGE_RETRY_WINDOW_MS of generation: its config's (or global.config's), else the app's default
(apps/generation/src/config.ts; a test keeps the two equal).
*/}}
{{- define "pixel-prompt.storageRetryWindowMs" -}}
{{- $set := index .Values.generation.config "STORAGE_RETRY_WINDOW_MS" | default (index .Values.global.config "STORAGE_RETRY_WINDOW_MS") -}}
{{- if kindIs "invalid" $set }}60000{{ else }}{{ int $set }}{{ end -}}
{{- end -}}

{{/*
SHUTDOWN_TIMEOUT_MS of a component: drain.timeoutSeconds. The worker's is derived when null: after
SIGTERM it finishes the model call in flight (up to the longest model timeout) and may then hold the
image through an S3 outage (up to STORAGE_RETRY_WINDOW_MS) before it records the result, so its
deadline is their sum + 15 s, within the schema's 1200000 ms ceiling; set below the sum, the render fails.
*/}}
{{- define "pixel-prompt.shutdownMs" -}}
{{- $drain := fromYaml (include "pixel-prompt.drain" .) -}}
{{- $set := $drain.timeoutSeconds -}}
{{- if eq .component "generation" -}}
{{- $model := int (include "pixel-prompt.maxModelTimeoutMs" .context) -}}
{{- $storage := int (include "pixel-prompt.storageRetryWindowMs" .context) -}}
{{- $needed := add $model $storage -}}
{{- $ms := ternary (mul (int $set) 1000) (min 1200000 (add $needed 15000)) (not (kindIs "invalid" $set)) -}}
{{- if lt (int $ms) (int $needed) -}}
{{- fail (printf "generation.drain.timeoutSeconds (%d s) must cover the longest model timeout (%d ms) plus STORAGE_RETRY_WINDOW_MS (%d ms)" (div (int $ms) 1000) $model $storage) -}}
{{- end -}}
{{- $ms -}}
{{- else -}}
{{- mul (int $set) 1000 -}}
{{- end -}}
{{- end -}}

{{/*
terminationGracePeriodSeconds: preStop pause + drain delay + drain deadline + margin. Kubernetes
counts the preStop hook inside the grace period, so SIGKILL can only come after all of it.
*/}}
{{- define "pixel-prompt.graceSeconds" -}}
{{- $drain := fromYaml (include "pixel-prompt.drain" .) -}}
{{- add (int (include "pixel-prompt.deregistrationDelaySeconds" .)) (int $drain.marginSeconds) -}}
{{- end -}}

{{/*
The longest a pod may still answer after it starts leaving: preStop pause + drain delay + drain
deadline. Also the ALB target group's deregistration delay, so the ALB never cuts a request the pod
would have finished (a target with no connection left is released earlier).
*/}}
{{- define "pixel-prompt.deregistrationDelaySeconds" -}}
{{- $drain := fromYaml (include "pixel-prompt.drain" .) -}}
{{- add (int $drain.preStopSeconds) (int $drain.delaySeconds) (div (add (int (include "pixel-prompt.shutdownMs" .)) 999) 1000) -}}
{{- end -}}

{{/* HTTP_KEEP_ALIVE_TIMEOUT_MS: above the ALB's idle timeout, so the ALB closes idle connections, not the service. */}}
{{- define "pixel-prompt.keepAliveMs" -}}
{{- mul (add (int .Values.ingress.alb.idleTimeoutSeconds) 5) 1000 -}}
{{- end -}}

{{/* Whether the AWS Load Balancer Controller serves the Ingress: the chart then sets its annotations. */}}
{{- define "pixel-prompt.alb" -}}
{{- if and .Values.ingress.enabled (eq .Values.ingress.className "alb") -}}true{{- end -}}
{{- end -}}

{{/*
Whether a component's pods read the release's Secret: REDIS_URL (gateway, generation, without the
in-chart Redis), the CloudFront key, or secretFiles.
*/}}
{{- define "pixel-prompt.usesSecret" -}}
{{- $v := index .context.Values .component -}}
{{- if or (and (has .component (list "gateway" "generation")) (not .context.Values.redis.enabled)) (include "pixel-prompt.cloudfrontKey" .) $v.secretFiles -}}true{{- end -}}
{{- end -}}

{{/*
Fails with a clear message when the cluster does not serve a kind the values ask for (its CRD is
not installed): helm would otherwise stop halfway through the install. `helm template` knows only
the built-in kinds unless given --api-versions (tools/deploy/deploy.sh passes the ones it expects).
*/}}
{{- define "pixel-prompt.requireApi" -}}
{{- $ctx := index . 0 -}}
{{- $api := index . 1 -}}
{{- $setting := index . 2 -}}
{{- $provider := index . 3 -}}
{{- if not ($ctx.Capabilities.APIVersions.Has $api) -}}
{{- fail (printf "%s needs %s, which this cluster does not serve: install %s, or turn %s off" $setting $api $provider $setting) -}}
{{- end -}}
{{- end -}}

{{- define "pixel-prompt.hpaEnabled" -}}
{{- $v := index .context.Values .component -}}
{{- if or $v.autoscaling.enabled (and (hasKey $v.autoscaling "keda") $v.autoscaling.keda.enabled) -}}true{{- end -}}
{{- end -}}

{{/*
The queue series the generation autoscaler reads, as PromQL label matchers: this release's gateway
(which exports the queue gauges) and the counted states. The HPA's metric selector says the same.
*/}}
{{- define "pixel-prompt.queueMatchers" -}}
{{- $q := .Values.generation.autoscaling.queueDepth -}}
{{- printf "namespace=%q,job=%q,state=~%q" .Release.Namespace (include "pixel-prompt.componentName" (dict "context" . "component" "gateway")) (join "|" $q.states) -}}
{{- end -}}

{{/*
The gateway's hosted moderation stage (gateway.config MODERATION, docs/PROVIDERS.md "Moderation"):
what it needs besides, as the gateway checks at boot, so a render fails rather than a rollout of
pods that cannot start. Takes (list <the gateway's variables> <its extraEnv>).
*/}}
{{- define "pixel-prompt.checkModeration" -}}
{{- $env := index . 0 -}}
{{- $named := dict -}}
{{- range $name, $_ := $env }}{{ $_ := set $named $name true }}{{ end -}}
{{- range (index . 1) }}{{ $_ := set $named .name true }}{{ end -}}
{{- $moderation := get $env "MODERATION" | default "off" -}}
{{- if not (has $moderation (list "off" "openai" "bedrock")) -}}
{{- fail (printf "gateway.config.MODERATION: %q is not off, openai or bedrock" $moderation) -}}
{{- else if and (eq $moderation "openai") (not (or (hasKey $named "OPENAI_API_KEY_FILE") (hasKey $named "OPENAI_API_KEY"))) -}}
{{- fail "gateway.config.MODERATION=openai needs the OpenAI key: set gateway.secretFiles.OPENAI_API_KEY to its key in the Secret" -}}
{{- else if and (eq $moderation "bedrock") (not (and (hasKey $named "MODERATION_GUARDRAIL_ID") (hasKey $named "MODERATION_GUARDRAIL_VERSION"))) -}}
{{- fail "gateway.config.MODERATION=bedrock needs the guardrail: set gateway.config.MODERATION_GUARDRAIL_ID and MODERATION_GUARDRAIL_VERSION" -}}
{{- end -}}
{{- end -}}
