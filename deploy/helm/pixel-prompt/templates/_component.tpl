{{- define "pixel-prompt.service" -}}
{{- $v := index .context.Values .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
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
    {{- /* Queue depth per replica (External metric served by the Prometheus Adapter rule in values.yaml). */}}
    - type: External
      external:
        metric:
          name: {{ $a.queueDepth.metricName }}
          selector:
            matchLabels:
              {{- toYaml $a.queueDepth.selector | nindent 14 }}
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

{{- define "pixel-prompt.networkPolicy" -}}
{{- $ctx := .context -}}
{{- $v := index $ctx.Values .component -}}
{{- if $ctx.Values.networkPolicy.enabled }}
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
  {{- /* Ingress only: the services reach S3, Redis, DNS and model providers outside the namespace. */}}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: http
          protocol: TCP
      from:
        {{- if has .component (list "gateway" "web") }}
        {{- toYaml $ctx.Values.networkPolicy.ingressControllerFrom | nindent 8 }}
        {{- end }}
        {{- if eq .component "gateway" }}
        {{- /* Same-namespace callers of the API: the web pods and the gateway's own replicas (none today). */}}
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "web") | nindent 14 }}
        {{- end }}
        {{- if eq .component "gallery" }}
        - podSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" (dict "context" $ctx "component" "gateway") | nindent 14 }}
        {{- end }}
        {{- if ne .component "web" }}
        {{- toYaml $ctx.Values.networkPolicy.metricsFrom | nindent 8 }}
        {{- end }}
{{- end }}
{{- end -}}

{{- define "pixel-prompt.serviceMonitor" -}}
{{- $ctx := .context -}}
{{- if $ctx.Values.metrics.serviceMonitor.enabled }}
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
