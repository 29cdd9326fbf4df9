{{- define "pixel-prompt.deployment" -}}
{{- $ctx := .context -}}
{{- $c := .component -}}
{{- $v := fromYaml (include "pixel-prompt.values" .) -}}
{{- $service := ne $c "web" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "pixel-prompt.componentName" . }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "pixel-prompt.componentLabels" . | nindent 4 }}
  {{- if and $ctx.Values.secrets.existingSecret $ctx.Values.secrets.reloader (include "pixel-prompt.usesSecret" .) }}
  annotations:
    {{- /* Stakater Reloader rolls the pods when the Secret they read changes (e.g. rotated by External Secrets). */}}
    secret.reloader.stakater.com/reload: {{ $ctx.Values.secrets.existingSecret | quote }}
  {{- end }}
spec:
  {{- /* With an autoscaler the HPA owns the replica count; a replicas field would reset it on every upgrade. */}}
  {{- if not (include "pixel-prompt.hpaEnabled" .) }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "pixel-prompt.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "pixel-prompt.selectorLabels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- /* Roll the pods when their configuration, or the Secret the chart creates, changes. */}}
        checksum/config: {{ print (include (print $ctx.Template.BasePath "/configmap.yaml") $ctx) (include (print $ctx.Template.BasePath "/web/configmap.yaml") $ctx) | sha256sum }}
        {{- if not $ctx.Values.secrets.existingSecret }}
        checksum/secret: {{ include (print $ctx.Template.BasePath "/secret.yaml") $ctx | sha256sum }}
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "pixel-prompt.serviceAccountName" . }}
      automountServiceAccountToken: {{ $v.serviceAccount.automountToken }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ include "pixel-prompt.graceSeconds" . }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      {{- if $v.topologySpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" . | nindent 14 }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "pixel-prompt.selectorLabels" . | nindent 14 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $c }}
          image: {{ include "pixel-prompt.image" . | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $v.port }}
              protocol: TCP
          env:
          {{- if $service }}
            {{- include "pixel-prompt.env" . | trim | nindent 12 }}
          {{- else }}
            - name: PORT
              value: {{ $v.port | quote }}
          {{- end }}
          {{- $drain := fromYaml (include "pixel-prompt.drain" .) }}
          {{- if $drain.preStopSeconds }}
          lifecycle:
            {{- /* Kubernetes' own sleep (no sleep binary needed in the image): the pod keeps serving
                 while its removal from the endpoints reaches kube-proxy and the load balancer. */}}
            preStop:
              sleep:
                seconds: {{ $drain.preStopSeconds }}
          {{- end }}
          {{- /* Startup covers boot (config validation, Redis/S3 clients); liveness then only
               restarts a stuck event loop; readiness takes a pod out only after a dependency has
               failed for probes.readiness.periodSeconds × failureThreshold (docs/DEPLOYMENT.md). */}}
          startupProbe:
            httpGet:
              path: {{ $v.probes.livePath }}
              port: http
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet:
              path: {{ $v.probes.livePath }}
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: {{ $v.probes.readyPath }}
              port: http
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            timeoutSeconds: 3
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if and (has $c (list "gateway" "generation")) $ctx.Values.modelRegistry.enabled }}
            - name: model-registry
              mountPath: /etc/pixel-prompt
              readOnly: true
            {{- end }}
            {{- if include "pixel-prompt.cloudfrontKey" . }}
            - name: cloudfront-key
              mountPath: /var/run/secrets/cloudfront
              readOnly: true
            {{- end }}
            {{- if $v.secretFiles }}
            - name: secret-files
              mountPath: /var/run/secrets/pixel-prompt
              readOnly: true
            {{- end }}
            {{- if eq $c "web" }}
            {{- /* One web image for every environment: the API's location comes from config.json. */}}
            - name: runtime-config
              mountPath: {{ $v.runtimeConfigPath }}
              subPath: config.json
              readOnly: true
            {{- end }}
      volumes:
        {{- with $v.secretFiles }}
        {{- /* Keys as files rather than env values: they never show in `kubectl describe` or a crash dump's environment. */}}
        - name: secret-files
          secret:
            secretName: {{ include "pixel-prompt.secretName" $ctx }}
            defaultMode: 288 # 0440 in decimal: YAML 1.2 readers take 0440 as decimal
            items:
              {{- range $variable, $key := . }}
              - key: {{ $key }}
                path: {{ $key }}
              {{- end }}
        {{- end }}
        {{- if eq $c "web" }}
        - name: runtime-config
          configMap:
            name: {{ include "pixel-prompt.componentName" . }}-config
        {{- end }}
        {{- /* The root filesystem is read-only; Node and the render threads still need a scratch /tmp. */}}
        - name: tmp
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit }}
        {{- if and (has $c (list "gateway" "generation")) $ctx.Values.modelRegistry.enabled }}
        - name: model-registry
          configMap:
            name: {{ include "pixel-prompt.fullname" $ctx }}-models
        {{- end }}
        {{- if include "pixel-prompt.cloudfrontKey" . }}
        - name: cloudfront-key
          secret:
            secretName: {{ include "pixel-prompt.secretName" $ctx }}
            defaultMode: 288 # 0440 in decimal: YAML 1.2 readers take 0440 as decimal
            items:
              - key: {{ $ctx.Values.cdn.privateKeySecretKey }}
                path: private-key.pem
        {{- end }}
{{- end -}}
