{{- define "pixel-prompt.service" -}}
{{- $ctx := .context -}}
{{- $v := fromYaml (include "pixel-prompt.values" .) -}}
{{- $annotations := dict -}}
{{- if and (include "pixel-prompt.alb" $ctx) (has .component (list "gateway" "web")) -}}
{{- /* The ALB's target group of this backend: health-checked on the readiness path, and drained as long as a pod may still answer. */ -}}
{{- $check := $ctx.Values.ingress.alb.healthCheck -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/healthcheck-path" $v.probes.readyPath -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/success-codes" "200" -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/healthcheck-interval-seconds" (toString $check.intervalSeconds) -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/healthcheck-timeout-seconds" (toString $check.timeoutSeconds) -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/healthy-threshold-count" (toString $check.healthyThreshold) -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/unhealthy-threshold-count" (toString $check.unhealthyThreshold) -}}
{{- $_ := set $annotations "alb.ingress.kubernetes.io/target-group-attributes" (printf "deregistration_delay.timeout_seconds=%s" (include "pixel-prompt.deregistrationDelaySeconds" .)) -}}
{{- end -}}
{{- $annotations = mergeOverwrite $annotations ($v.service.annotations | default dict) -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: ClusterIP
  selector:
    {{- include "pixel-prompt.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $v.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "pixel-prompt.serviceAccount" -}}
{{- $v := index .context.Values .component -}}
{{- if $v.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "pixel-prompt.serviceAccountName" . }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
  {{- if or $v.serviceAccount.roleArn $v.serviceAccount.annotations }}
  annotations:
    {{- /* IRSA: the EKS pod identity webhook injects credentials for this role into the pods. */}}
    {{- with $v.serviceAccount.roleArn }}
    eks.amazonaws.com/role-arn: {{ . | quote }}
    {{- end }}
    {{- with $v.serviceAccount.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{- define "pixel-prompt.pdb" -}}
{{- $v := index .context.Values .component -}}
{{- if $v.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
spec:
  {{- /* maxUnavailable rather than minAvailable: with a single replica a node drain can still proceed. */}}
  maxUnavailable: {{ $v.pdb.maxUnavailable }}
  {{- /* Pods not yet ready may be evicted even when the budget is spent, so a crash-looping rollout never blocks a drain. */}}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "pixel-prompt.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "pixel-prompt.hpa" -}}
{{- $v := index .context.Values .component -}}
{{- $a := $v.autoscaling -}}
{{- if and $a.enabled (not (and (hasKey $a "keda") $a.keda.enabled)) }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "pixel-prompt.componentName" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- if hasKey $a "queueDepth" }}
    {{- /* Model calls waiting and running per replica: the External metric the Prometheus Adapter
         rule (deploy/helm/prometheus-adapter-values.yaml) serves, for this release's gateway. */}}
    - type: External
      external:
        metric:
          name: {{ $a.queueDepth.metricName }}
          selector:
            matchLabels:
              job: {{ include "pixel-prompt.componentName" (dict "context" .context "component" "gateway") }}
            matchExpressions:
              - key: state
                operator: In
                values:
                  {{- toYaml $a.queueDepth.states | nindent 18 }}
        target:
          type: AverageValue
          averageValue: {{ $a.queueDepth.targetPerReplica | quote }}
    {{- end }}
    {{- if $a.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- end }}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
        - type: Percent
          value: 100
          periodSeconds: 30
    scaleDown:
      {{- /* Avoid flapping: scale in only after load stayed low for the whole window, a few pods at a time. */}}
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationSeconds }}
      policies:
        - type: Pods
          value: 1
          periodSeconds: 60
{{- end }}
{{- end -}}

{{/*
An ipBlock peer for a CIDR; the whole IPv4 or IPv6 space leaves out the instance metadata
endpoint, so no pod gets the node's credentials around IRSA.
*/}}
{{- define "pixel-prompt.ipBlock" -}}
- ipBlock:
    cidr: {{ . }}
    {{- if eq . "0.0.0.0/0" }}
    except: [169.254.169.254/32]
    {{- else if eq . "::/0" }}
    except: ["fd00:ec2::254/128"]
    {{- end }}
{{- end -}}

{{- define "pixel-prompt.networkPolicy" -}}
{{- $ctx := .context -}}
{{- $c := .component -}}
{{- $np := $ctx.Values.networkPolicy -}}
{{- if $np.enabled }}
{{- $public := has $c (list "gateway" "web") -}}
{{- if and $public $ctx.Values.ingress.enabled (not (or $np.ingress.cidrs $np.ingress.namespaces)) -}}
{{- fail "networkPolicy.ingress: set cidrs (the ALB's subnets) or namespaces (an in-cluster ingress controller), or nothing reaches gateway and web through the Ingress" -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "pixel-prompt.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - port: http
          protocol: TCP
      from:
        {{- if $public }}
        {{- range $np.ingress.cidrs }}
        {{- include "pixel-prompt.ipBlock" . | nindent 8 }}
        {{- end }}
        {{- with $np.ingress.namespaces }}
        - namespaceSelector:
            matchExpressions:
              - { key: kubernetes.io/metadata.name, operator: In, values: {{ toJson . }} }
        {{- end }}
        {{- /* helm test's smoke request (templates/tests/smoke.yaml). */}}
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "smoke-test") | nindent 14 }}
        {{- end }}
        {{- if eq $c "gallery" }}
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "gateway") | nindent 14 }}
        {{- end }}
        {{- if ne $c "web" }}
        {{- /* Prometheus: pods with these labels in these namespaces (both must match). */}}
        - namespaceSelector:
            matchExpressions:
              - { key: kubernetes.io/metadata.name, operator: In, values: {{ toJson $np.metrics.namespaces }} }
          {{- with $np.metrics.podLabels }}
          podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
          {{- end }}
        {{- end }}
  {{- /* Default-deny egress: the web server needs nothing; the services what each one calls. */}}
  {{- if eq $c "web" }}
  egress: []
  {{- else }}
  egress:
    - ports:
        - { port: 53, protocol: UDP }
        - { port: 53, protocol: TCP }
      to:
        {{- toYaml $np.egress.dns | nindent 8 }}
    {{- if has $c (list "gateway" "generation") }}
    {{- if $ctx.Values.redis.enabled }}
    - ports:
        - { port: {{ $ctx.Values.redis.port }}, protocol: TCP }
      to:
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "redis") | nindent 14 }}
    {{- else }}
    - ports:
        - { port: {{ $np.egress.redis.port }}, protocol: TCP }
      to:
        {{- range $np.egress.redis.cidrs }}
        {{- include "pixel-prompt.ipBlock" . | nindent 8 }}
        {{- end }}
    {{- end }}
    {{- end }}
    {{- if eq $c "gateway" }}
    - ports:
        - { port: {{ $ctx.Values.gallery.port }}, protocol: TCP }
      to:
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "gallery") | nindent 14 }}
    {{- end }}
    {{- /* S3 (also through a VPC gateway endpoint, whose addresses are S3's public ones), STS for
         IRSA, model providers and LLM enhancers: HTTPS anywhere but the metadata endpoints. */}}
    {{- $ports := $np.egress.httpsPorts -}}
    {{- with $ctx.Values.s3.endpoint }}{{ with (urlParse .).host }}{{ if regexMatch ":[0-9]+$" . }}{{ $ports = append $ports (int (regexFind "[0-9]+$" .)) | uniq }}{{ end }}{{ end }}{{ end }}
    - ports:
        {{- range $ports }}
        - { port: {{ . }}, protocol: TCP }
        {{- end }}
      to:
        {{- include "pixel-prompt.ipBlock" "0.0.0.0/0" | nindent 8 }}
        {{- include "pixel-prompt.ipBlock" "::/0" | nindent 8 }}
    {{- with $np.egress.extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "pixel-prompt.serviceMonitor" -}}
{{- $ctx := .context -}}
{{- if $ctx.Values.metrics.serviceMonitor.enabled }}
{{- include "pixel-prompt.requireApi" (list $ctx "monitoring.coreos.com/v1/ServiceMonitor" "metrics.serviceMonitor.enabled" "the Prometheus Operator's CRDs (kube-prometheus-stack)") }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
    {{- with $ctx.Values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "pixel-prompt.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $ctx.Values.metrics.serviceMonitor.interval }}
{{- end }}
{{- end -}}
