{{/*
Environment of a service container, matching apps/<app>/src/config.ts: plain values from
global.config and <component>.config, and what the chart itself knows (port, Redis, S3, the
registry file, the gallery URL, the CDN, the drain and keep-alive timings). Values are quoted
because every variable is a string to the app.
*/}}
{{- define "pixel-prompt.env" -}}
{{- $ctx := .context -}}
{{- $c := .component -}}
{{- $v := index $ctx.Values $c -}}
{{- $env := dict -}}
{{- range $k, $val := $ctx.Values.global.config }}{{ if not (kindIs "invalid" $val) }}{{ $_ := set $env $k (toString $val) }}{{ end }}{{ end -}}
{{- range $k, $val := $v.config }}{{ if not (kindIs "invalid" $val) }}{{ $_ := set $env $k (toString $val) }}{{ end }}{{ end -}}
{{- $_ := set $env "PORT" (toString $v.port) -}}
{{- $_ := set $env "NODE_ENV" "production" -}}
{{- $_ := set $env "APP_VERSION" (toString (default $ctx.Chart.AppVersion $ctx.Values.global.image.tag)) -}}
{{- if has $c (list "generation" "gallery") -}}
{{- $_ := set $env "S3_BUCKET" (required "s3.bucket is required (generation and gallery store images in it)" $ctx.Values.s3.bucket) -}}
{{- $_ := set $env "S3_REGION" $ctx.Values.s3.region -}}
{{- if $ctx.Values.s3.endpoint }}{{ $_ := set $env "S3_ENDPOINT" $ctx.Values.s3.endpoint }}{{ end -}}
{{- $_ := set $env "S3_FORCE_PATH_STYLE" (toString $ctx.Values.s3.forcePathStyle) -}}
{{- end -}}
{{- if has $c (list "gateway" "generation") -}}
{{- if $ctx.Values.redis.enabled }}{{ $_ := set $env "REDIS_URL" (include "pixel-prompt.redisUrl" $ctx) }}{{ end -}}
{{- if $ctx.Values.modelRegistry.enabled }}{{ $_ := set $env "MODEL_REGISTRY_PATH" "/etc/pixel-prompt/models.yaml" }}{{ end -}}
{{- end -}}
{{- if eq $c "gateway" -}}
{{- $_ := set $env "GALLERY_URL" (printf "http://%s-gallery:%d" (include "pixel-prompt.fullname" $ctx) (int $ctx.Values.gallery.port)) -}}
{{- if and $ctx.Values.redis.enabled (gt (int (get $env "REDIS_WAIT_REPLICAS" | default "0")) 0) -}}
{{- fail "REDIS_WAIT_REPLICAS: the in-chart Redis has no replicas, so every submission would answer 503; leave it unset with redis.enabled" -}}
{{- end -}}
{{- end -}}
{{- /* The drain (global.drain, docs/DEPLOYMENT.md "Draining a pod") and keep-alive above the ALB's idle timeout. */ -}}
{{- $drain := fromYaml (include "pixel-prompt.drain" .) -}}
{{- $_ := set $env "SHUTDOWN_DRAIN_DELAY_MS" (toString (mul (int $drain.delaySeconds) 1000)) -}}
{{- $_ := set $env "SHUTDOWN_TIMEOUT_MS" (include "pixel-prompt.shutdownMs" .) -}}
{{- $_ := set $env "HTTP_KEEP_ALIVE_TIMEOUT_MS" (include "pixel-prompt.keepAliveMs" $ctx) -}}
{{- if and (has $c (list "gateway" "gallery")) $ctx.Values.cdn.baseUrl -}}
{{- $_ := set $env "CDN_BASE_URL" $ctx.Values.cdn.baseUrl -}}
{{- $_ := set $env "SIGNED_URL_TTL_SECONDS" (toString $ctx.Values.cdn.signedUrlTtlSeconds) -}}
{{- with $ctx.Values.cdn.keyPairId }}{{ $_ := set $env "CLOUDFRONT_KEY_PAIR_ID" . }}{{ end -}}
{{- if include "pixel-prompt.cloudfrontKey" . }}{{ $_ := set $env "CLOUDFRONT_PRIVATE_KEY_FILE" "/var/run/secrets/cloudfront/private-key.pem" }}{{ end -}}
{{- end -}}
{{- range $variable, $key := $v.secretFiles }}
{{- $_ := set $env (printf "%s_FILE" $variable) (printf "/var/run/secrets/pixel-prompt/%s" $key) -}}
{{- end -}}
{{- if eq $c "gateway" }}{{ include "pixel-prompt.checkModeration" (list $env $v.extraEnv) }}{{ end -}}
{{- range $k, $val := $env }}
- name: {{ $k }}
  value: {{ $val | quote }}
{{- end }}
{{- if and (has $c (list "gateway" "generation")) (not $ctx.Values.redis.enabled) }}
{{- if not (or $ctx.Values.secrets.existingSecret $ctx.Values.secrets.redisUrl) }}
{{- fail "REDIS_URL: set redis.enabled (in-chart dev Redis), secrets.redisUrl, or secrets.existingSecret with the key secrets.keys.redisUrl" }}
{{- end }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "pixel-prompt.secretName" $ctx }}
      key: {{ $ctx.Values.secrets.keys.redisUrl }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
