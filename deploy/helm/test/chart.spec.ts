import { cdnEnvSchema, jobsEnvSchema, redisEnvSchema, s3EnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import { DEFAULT_MODELS, parseModelRegistry } from '@pixel-prompt/models';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  type RenderOptions,
  type Service,
  chart,
  container,
  envOf,
  find,
  lint,
  minimal,
  readSource,
  render,
  services,
  template,
  validate,
  valuesFiles,
} from './support';

// Each environment file on its own; the bare defaults need a bucket and a Redis to render.
const environments: Record<(typeof valuesFiles)[number], RenderOptions> = {
  'values.yaml': { files: [], values: minimal },
  'values-dev.yaml': { files: ['values-dev.yaml'] },
  'values-staging.yaml': { files: ['values-staging.yaml'] },
  'values-prod.yaml': { files: ['values-prod.yaml'] },
};

// Toggles rendered on top of the defaults; each must still produce valid objects.
const toggles: Record<string, unknown> = {
  'everything off that can be': {
    ...minimal,
    ingress: { enabled: false },
    networkPolicy: { enabled: false },
    gateway: { autoscaling: { enabled: false }, pdb: { enabled: false }, serviceAccount: { create: false } },
    generation: { autoscaling: { enabled: false }, pdb: { enabled: false } },
    gallery: { autoscaling: { enabled: false } },
    web: { enabled: false },
  },
  'everything on': {
    ...minimal,
    ingress: { enabled: true, hosts: ['pp.example.com'], tls: [{ hosts: ['pp.example.com'], secretName: 'pp-tls' }] },
    networkPolicy: { ingress: { cidrs: ['10.0.0.0/16'], namespaces: ['ingress-nginx'] }, egress: { extra: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ port: 80 }] }] } },
    metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, dashboards: { enabled: true } },
    web: { autoscaling: { enabled: true } },
    secrets: { existingSecret: 'pp-keys' },
    generation: { secretFiles: { OPENAI_API_KEY: 'openai-api-key' } },
    modelRegistry: { enabled: true, models: [{ id: 'm', displayName: 'M', provider: 'local', providerModel: 'aurora' }] },
  },
  'KEDA instead of the adapter': {
    ...minimal,
    generation: { autoscaling: { keda: { enabled: true, prometheusAddress: 'http://prometheus.monitoring:9090' } } },
  },
  'hosted moderation through OpenAI, its key from the Secret': {
    ...minimal,
    secrets: { existingSecret: 'pp-keys' },
    gateway: { config: { MODERATION: 'openai', MODERATION_TIMEOUT_MS: '3000' }, secretFiles: { OPENAI_API_KEY: 'openai-api-key' } },
  },
  'hosted moderation through a Bedrock guardrail': {
    ...minimal,
    gateway: { config: { MODERATION: 'bedrock', MODERATION_GUARDRAIL_ID: 'gr0abc123xyz', MODERATION_GUARDRAIL_VERSION: '3', AWS_REGION: 'eu-central-1' } },
  },
  'external Redis and CloudFront key from the chart Secret': {
    s3: { bucket: 'pixel-prompt-test' },
    secrets: { redisUrl: 'rediss://cache.example.com:6379', cloudfrontPrivateKey: 'PEM' },
    cdn: { baseUrl: 'https://images.example.com', keyPairId: 'K2JCJMDEHXQW5F', privateKeySecretKey: 'cloudfront-private-key' },
  },
};

/**
 * The shared schema pieces each app's config.ts extends (read from its source: apps cannot be
 * imported from a tools project), so the required variables follow the apps without a copied list.
 */
function schemaPieces(app: Service): z.ZodObject[] {
  const pieces: Record<string, z.ZodObject> = { serviceEnvSchema, redisEnvSchema, s3EnvSchema, jobsEnvSchema, cdnEnvSchema };
  const source = readSource(`apps/${app}/src/config.ts`);
  const used = ['serviceEnvSchema', ...[...source.matchAll(/\.extend\((\w+EnvSchema)\.shape\)/g)].map((m) => String(m[1]))];
  return used.map((name) => {
    const piece = pieces[name];
    if (!piece) throw new Error(`apps/${app}/src/config.ts extends ${name}, unknown to this test`);
    return piece;
  });
}

function appDefaultPort(app: Service): number {
  const match = /PORT: portSchema\.default\((\d+)\)/.exec(readSource(`apps/${app}/src/config.ts`));
  if (!match) throw new Error(`no PORT default in apps/${app}/src/config.ts`);
  return Number(match[1]);
}

/** A duration variable's default in an app's config.ts (`NAME: durationMsSchema(...).default(60_000)`). */
function appDefault(app: Service, name: string): number {
  const match = new RegExp(`${name}: durationMsSchema\\([^)]*\\)\\.default\\(([\\d_]+)\\)`).exec(readSource(`apps/${app}/src/config.ts`));
  if (!match) throw new Error(`no ${name} default in apps/${app}/src/config.ts`);
  return Number(String(match[1]).replaceAll('_', ''));
}

describe('helm lint --strict', () => {
  it.each(valuesFiles)('passes with %s', (file) => {
    const result = lint(environments[file]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('rendered objects are valid Kubernetes objects', () => {
  const cases: [string, RenderOptions][] = [
    ...Object.entries(environments),
    ...Object.entries(toggles).map(([name, values]): [string, RenderOptions] => [name, { files: [], values }]),
  ];

  it.each(cases)('%s', (_name, options) => {
    const result = template(options);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const validation = validate(result.stdout);
    expect(validation.errors).toEqual([]);
    expect(validation.validated.length).toBeGreaterThan(10);
  });

  it('the validator itself refuses an invalid object, so the checks above can fail', () => {
    const objects = render({ values: minimal });
    const service = find(objects, 'Service', 'pp-gateway');
    service.spec.ports[0].port = 'http';
    const validation = validate(JSON.stringify(service));
    expect(validation.errors).toEqual([expect.stringContaining('Service/pp-gateway')]);
  });
});

describe.each(Object.entries(environments))('with %s', (_name, options) => {
  const objects = render(options);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');

  it('leaves the replica count to the HPA wherever there is one', () => {
    for (const hpa of hpas) {
      const target = find(objects, 'Deployment', hpa.spec.scaleTargetRef.name);
      expect(target.spec).not.toHaveProperty('replicas');
    }
    const scaled = new Set(hpas.map((h) => h.spec.scaleTargetRef.name));
    for (const d of deployments.filter((d) => !scaled.has(d.metadata.name))) expect(d.spec.replicas).toBeGreaterThanOrEqual(1);
  });

  it('scales gateway and gallery on CPU and generation on queue depth per replica', () => {
    const metric = /name: '(pixel_prompt_queue_jobs)'/.exec(readSource('apps/gateway/src/gateway-metrics.ts'))?.[1];
    expect(metric).toBe('pixel_prompt_queue_jobs');
    for (const hpa of hpas) {
      expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
      const [m] = hpa.spec.metrics;
      if (hpa.metadata.name === 'pp-generation') {
        expect(m).toEqual({ type: 'External', external: expect.objectContaining({ metric: expect.objectContaining({ name: metric }) }) });
        expect(m.external.target.type).toBe('AverageValue');
      } else {
        expect(m.resource).toMatchObject({ name: 'cpu', target: { type: 'Utilization' } });
      }
    }
  });

  it('probes the services on their real health routes and ports', () => {
    const health = readSource('libs/service/src/lib/health.controller.ts');
    expect(health).toContain("@Controller('health')");
    expect(health).toContain("@Get('live')");
    expect(health).toContain("@Get('ready')");
    for (const app of services) {
      const c = container(objects, app);
      const env = envOf(objects, app);
      expect(c.ports).toEqual([{ name: 'http', containerPort: appDefaultPort(app), protocol: 'TCP' }]);
      expect(env['PORT']).toBe(String(appDefaultPort(app)));
      expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(find(objects, 'Service', `pp-${app}`).spec.ports[0]).toMatchObject({ port: appDefaultPort(app), targetPort: 'http' });
    }
  });

  it("gives every service each variable its config schema requires, with values the schema accepts", () => {
    const secrets = objects.filter((o) => o.kind === 'Secret');
    for (const app of services) {
      const env = envOf(objects, app);
      for (const piece of schemaPieces(app)) {
        for (const [name, schema] of Object.entries(piece.shape) as [string, z.ZodType][]) {
          const required = !schema.safeParse(undefined).success;
          const value = env[name];
          if (required) expect({ app, name, value }).toEqual({ app, name, value: expect.any(String) });
          if (value === undefined) continue;
          if (name.endsWith('_FILE')) {
            // Read at boot from a mounted Secret: here it is enough that something is mounted there.
            const mounts: { mountPath: string }[] = container(objects, app).volumeMounts ?? [];
            expect({ app, name, mounted: mounts.some((m) => value.startsWith(`${m.mountPath}/`)) }).toEqual({ app, name, mounted: true });
            continue;
          }
          const secret = /^secret:([^/]+)\/(.+)$/.exec(value);
          if (!secret) {
            expect({ app, name, ok: schema.safeParse(value).success }).toEqual({ app, name, ok: true });
            continue;
          }
          // Values from a Secret the chart creates are checked too; an existing Secret is the operator's.
          const own = secrets.find((s) => s.metadata.name === secret[1]);
          if (own) {
            const decoded = Buffer.from(String(own.data?.[String(secret[2])]), 'base64').toString('utf8');
            expect({ app, name, ok: schema.safeParse(decoded).success }).toEqual({ app, name, ok: true });
          }
        }
      }
    }
  });

  it('points the gateway at the gallery Service', () => {
    const gallery = find(objects, 'Service', 'pp-gallery');
    expect(envOf(objects, 'gateway')['GALLERY_URL']).toBe(`http://pp-gallery:${gallery.spec.ports[0].port}`);
  });

  it('runs every pod under the restricted Pod Security Standard', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect({ name: d.metadata.name, ...pod.securityContext }).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect({ name: d.metadata.name, ...c.securityContext }).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests).toBeDefined();
      }
    }
    for (const component of [...services, 'web']) {
      const pod = find(objects, 'Deployment', `pp-${component}`).spec.template.spec;
      const tmp = pod.volumes.find((v: { name: string }) => v.name === 'tmp');
      expect(tmp.emptyDir).toBeDefined();
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.automountServiceAccountToken).toBe(false);
    }
  });

  it('has PodDisruptionBudgets that let a drain evict even a single replica', () => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThanOrEqual(3);
    for (const pdb of pdbs) {
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).not.toHaveProperty('minAvailable');
      // With one healthy replica, disruptions allowed = maxUnavailable - 0 must be at least 1.
      expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it('lets generation finish a model call in flight and store its image through an S3 outage before it is killed', () => {
    const registryMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'pp-models');
    const registry = registryMap
      ? parseModelRegistry(parseYaml(String(registryMap.data?.['models.yaml'])), 'chart ConfigMap')
      : parseModelRegistry(DEFAULT_MODELS, 'built-in');
    const env = envOf(objects, 'generation');
    const pod = find(objects, 'Deployment', 'pp-generation').spec.template.spec;
    // The worker's own window where the chart sets one, else the app's default.
    const storageRetryWindowMs = Number(env['STORAGE_RETRY_WINDOW_MS'] ?? appDefault('generation', 'STORAGE_RETRY_WINDOW_MS'));
    const longestStop = registry.maxTimeoutMs + storageRetryWindowMs;
    expect(Number(env['SHUTDOWN_TIMEOUT_MS'])).toBeGreaterThanOrEqual(longestStop);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env['SHUTDOWN_TIMEOUT_MS']));
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(longestStop);
    if (registryMap) {
      for (const app of ['gateway', 'generation']) {
        expect(envOf(objects, app)['MODEL_REGISTRY_PATH']).toBe('/etc/pixel-prompt/models.yaml');
        expect(container(objects, app).volumeMounts).toContainEqual({ name: 'model-registry', mountPath: '/etc/pixel-prompt', readOnly: true });
      }
    }
  });

  it('gives every service account its IRSA role when one is configured', () => {
    for (const sa of objects.filter((o) => o.kind === 'ServiceAccount')) {
      const role = sa.metadata.annotations?.['eks.amazonaws.com/role-arn'];
      if (role !== undefined) expect(role).toMatch(/^arn:aws:iam::\d{12}:role\//);
    }
  });
});

describe('toggles and derived values', () => {
  it('derives the generation drain deadline and grace period from the longest registry timeout and the storage retry window', () => {
    const models = [
      { id: 'fast', displayName: 'Fast', provider: 'local', providerModel: 'aurora', timeoutMs: 5000 },
      { id: 'slow', displayName: 'Slow', provider: 'chaos', providerModel: 'slow', timeoutMs: 300000 },
    ];
    const derived = (config: Record<string, string>) => {
      const objects = render({ values: { ...minimal, modelRegistry: { enabled: true, models }, generation: { config } } });
      return { shutdownMs: envOf(objects, 'generation')['SHUTDOWN_TIMEOUT_MS'], grace: find(objects, 'Deployment', 'pp-generation').spec.template.spec.terminationGracePeriodSeconds };
    };
    // 300 s call + 60 s window (the app's default) + 15 s, then the 15 s margin.
    expect(derived({})).toEqual({ shutdownMs: '375000', grace: 390 });
    expect(derived({ STORAGE_RETRY_WINDOW_MS: '120000' })).toEqual({ shutdownMs: '435000', grace: 450 });
  });

  it('caps the generation drain deadline at what the services accept, still covering the longest call and window', () => {
    const models = [{ id: 'slowest', displayName: 'Slowest', provider: 'chaos', providerModel: 'slow', timeoutMs: 600000 }];
    const objects = render({ values: { ...minimal, modelRegistry: { enabled: true, models }, generation: { config: { STORAGE_RETRY_WINDOW_MS: '600000' } } } });
    expect(envOf(objects, 'generation')['SHUTDOWN_TIMEOUT_MS']).toBe('1200000');
    expect(serviceEnvSchema.shape.SHUTDOWN_TIMEOUT_MS.safeParse('1200000').success).toBe(true);
    expect(find(objects, 'Deployment', 'pp-generation').spec.template.spec.terminationGracePeriodSeconds).toBe(1215);
  });

  it('refuses a generation drain deadline shorter than the longest model timeout plus the storage retry window', () => {
    const result = template({ values: { ...minimal, generation: { drain: { timeoutSeconds: 100 } } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('generation.drain.timeoutSeconds (100 s) must cover the longest model timeout (60000 ms) plus STORAGE_RETRY_WINDOW_MS (60000 ms)');
  });

  it('renders the built-in models timeout and the storage retry window the chart assumes', () => {
    // The chart cannot import TypeScript: it hard-codes the built-in models' longest timeout and the worker's default window.
    expect(parseModelRegistry(DEFAULT_MODELS, 'built-in').maxTimeoutMs).toBe(60000);
    expect(appDefault('generation', 'STORAGE_RETRY_WINDOW_MS')).toBe(60000);
  });

  it('rolls the pods when the model registry changes', () => {
    const checksum = (timeoutMs: number) =>
      find(
        render({ values: { ...minimal, modelRegistry: { enabled: true, models: [{ id: 'm', displayName: 'M', provider: 'local', providerModel: 'a', timeoutMs }] } } }),
        'Deployment',
        'pp-generation',
      ).spec.template.metadata.annotations['checksum/config'];
    expect(checksum(5000)).not.toBe(checksum(6000));
  });

  it('renders a KEDA ScaledObject instead of the generation HPA, still without replicas', () => {
    const objects = render({ values: toggles['KEDA instead of the adapter'] });
    expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'pp-generation')).toBeUndefined();
    expect(find(objects, 'Deployment', 'pp-generation').spec).not.toHaveProperty('replicas');
    const scaled = find(objects, 'ScaledObject', 'pp-generation');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.spec.scaleTargetRef.name).toBe('pp-generation');
    expect(scaled.spec.triggers[0].metadata.query).toBe(
      'sum(max by (model, state) (pixel_prompt_queue_jobs{namespace="pixel",job="pp-gateway",state=~"waiting|active"}))',
    );
  });

  it('uses the in-chart Redis only when asked, and an external REDIS_URL from a Secret otherwise', () => {
    const dev = render({ files: ['values-dev.yaml'] });
    expect(find(dev, 'Service', 'pp-redis').spec.ports[0].port).toBe(6379);
    expect(envOf(dev, 'gateway')['REDIS_URL']).toBe('redis://pp-redis:6379');
    const prod = render({ files: ['values-prod.yaml'] });
    expect(prod.find((o) => o.metadata.name === 'pp-redis')).toBeUndefined();
    expect(prod.find((o) => o.kind === 'Secret')).toBeUndefined();
    expect(envOf(prod, 'generation')['REDIS_URL']).toBe('secret:pixel-prompt-prod/REDIS_URL');
  });

  it('gives the gateway and the gallery the same CDN settings and key, and the web app the CDN origin', () => {
    const prod = render({ files: ['values-prod.yaml'] });
    for (const component of ['gateway', 'gallery']) {
      expect(envOf(prod, component)).toMatchObject({
        CDN_BASE_URL: 'https://images.pixel-prompt.example.com',
        CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
        CLOUDFRONT_PRIVATE_KEY_FILE: '/var/run/secrets/cloudfront/private-key.pem',
        SIGNED_URL_TTL_SECONDS: '3600',
      });
      const pod = find(prod, 'Deployment', `pp-${component}`).spec.template.spec;
      const volume = pod.volumes.find((v: { name: string }) => v.name === 'cloudfront-key');
      expect(volume.secret).toMatchObject({ secretName: 'pixel-prompt-prod', items: [{ key: 'cloudfront-private-key', path: 'private-key.pem' }] });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'cloudfront-key', mountPath: '/var/run/secrets/cloudfront', readOnly: true });
    }
    expect(envOf(prod, 'generation')['CDN_BASE_URL']).toBeUndefined();
    const config = JSON.parse(String(find(prod, 'ConfigMap', 'pp-web-config').data?.['config.json']));
    expect(config).toEqual({ apiBaseUrl: '/api', cdnOrigin: 'https://images.pixel-prompt.example.com' });

    const dev = render({ files: ['values-dev.yaml'] });
    expect(envOf(dev, 'gateway')['CDN_BASE_URL']).toBeUndefined();
    expect(JSON.parse(String(find(dev, 'ConfigMap', 'pp-web-config').data?.['config.json']))).toEqual({ apiBaseUrl: '/api' });
  });

  it.each(['values-staging.yaml', 'values-prod.yaml'])('with %s accepts a job only once an ElastiCache replica holds it', (file) => {
    expect(envOf(render({ files: [file] }), 'gateway')['REDIS_WAIT_REPLICAS']).toBe('1');
  });

  it('refuses REDIS_WAIT_REPLICAS with the in-chart Redis, which has no replica to wait for', () => {
    const result = template({ files: ['values-dev.yaml'], values: { gateway: { config: { REDIS_WAIT_REPLICAS: '1' } } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('REDIS_WAIT_REPLICAS: the in-chart Redis has no replicas');
  });

  it('refuses to render without any Redis', () => {
    const result = template({ values: { s3: { bucket: 'pixel-prompt-test' } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('REDIS_URL: set redis.enabled');
  });

  it('mounts secretFiles from the Secret and points <NAME>_FILE at them', () => {
    const objects = render({ values: { ...minimal, secrets: { existingSecret: 'pp-keys' }, generation: { secretFiles: { BFL_API_KEY: 'bfl' } } } });
    expect(envOf(objects, 'generation')['BFL_API_KEY_FILE']).toBe('/var/run/secrets/pixel-prompt/bfl');
    expect(envOf(objects, 'gateway')).not.toHaveProperty('BFL_API_KEY_FILE');
    const pod = find(objects, 'Deployment', 'pp-generation').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'secret-files', secret: { secretName: 'pp-keys', defaultMode: 0o440, items: [{ key: 'bfl', path: 'bfl' }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-files', mountPath: '/var/run/secrets/pixel-prompt', readOnly: true });
  });

  it('turns the hosted moderation stage on from gateway values: OpenAI with its key mounted from the Secret, or a Bedrock guardrail', () => {
    const openai = render({ values: toggles['hosted moderation through OpenAI, its key from the Secret'] });
    expect(envOf(openai, 'gateway')).toMatchObject({ MODERATION: 'openai', MODERATION_TIMEOUT_MS: '3000', OPENAI_API_KEY_FILE: '/var/run/secrets/pixel-prompt/openai-api-key' });
    const pod = find(openai, 'Deployment', 'pp-gateway').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'secret-files', secret: { secretName: 'pp-keys', defaultMode: 0o440, items: [{ key: 'openai-api-key', path: 'openai-api-key' }] } });
    // The stage calls its provider over HTTPS, which the gateway's egress already allows.
    const egress: { ports?: { port: number }[]; to?: { ipBlock?: { cidr: string } }[] }[] = find(openai, 'NetworkPolicy', 'pp-gateway').spec.egress;
    expect(egress.some((rule) => rule.ports?.some((p) => p.port === 443) && rule.to?.some((peer) => peer.ipBlock?.cidr === '0.0.0.0/0'))).toBe(true);

    const bedrock = render({ values: toggles['hosted moderation through a Bedrock guardrail'] });
    expect(envOf(bedrock, 'gateway')).toMatchObject({ MODERATION: 'bedrock', MODERATION_GUARDRAIL_ID: 'gr0abc123xyz', MODERATION_GUARDRAIL_VERSION: '3', AWS_REGION: 'eu-central-1' });
    expect(envOf(render({ values: minimal }), 'gateway')).not.toHaveProperty('MODERATION');
  });

  it.each([
    ['OpenAI without its key', { MODERATION: 'openai' }, 'gateway.config.MODERATION=openai needs the OpenAI key: set gateway.secretFiles.OPENAI_API_KEY'],
    ['a Bedrock guardrail without its version', { MODERATION: 'bedrock', MODERATION_GUARDRAIL_ID: 'gr0abc123xyz' }, 'gateway.config.MODERATION=bedrock needs the guardrail'],
    ['a provider the gateway does not know', { MODERATION: 'azure' }, 'gateway.config.MODERATION: "azure" is not off, openai or bedrock'],
  ])('refuses hosted moderation with %s, which the gateway would refuse at boot', (_what, config, message) => {
    const result = template({ values: { ...minimal, gateway: { config } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('renders one ServiceMonitor per service when enabled', () => {
    const monitors = render({ files: ['values-prod.yaml'] }).filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['pp-gallery', 'pp-gateway', 'pp-generation']);
    for (const m of monitors) expect(m.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it.each([
    ['a port that is not a number', { gateway: { port: 'http' } }],
    ['an unknown key', { gatway: { enabled: true } }],
    ['an invalid bucket name', { s3: { bucket: 'Not_A_Bucket' } }],
    ['a CloudFront key pair without a private key', { cdn: { baseUrl: 'https://images.example.com', keyPairId: 'K2JCJMDEHXQW5F' } }],
    ['a CloudFront key pair without a CDN base URL', { cdn: { keyPairId: 'K2JCJMDEHXQW5F', privateKeySecretKey: 'cloudfront-private-key' } }],
    ['a CloudFront private key without a key pair id', { cdn: { baseUrl: 'https://images.example.com', privateKeySecretKey: 'cloudfront-private-key' } }],
    ['a drain delay for generation, which takes no load-balanced traffic', { generation: { drain: { delaySeconds: 10 } } }],
    ['a preStop pause for generation', { generation: { drain: { preStopSeconds: 5 } } }],
    ['a model timeout above the registry maximum', { modelRegistry: { enabled: true, models: [{ id: 'm', displayName: 'M', provider: 'local', providerModel: 'a', timeoutMs: 900000 }] } }],
  ])('values.schema.json rejects %s', (_name, bad) => {
    const result = template({ values: { ...minimal, ...bad } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
  });

  it('keeps the chart at apiVersion v2', () => {
    expect(parseYaml(readSource('deploy/helm/pixel-prompt/Chart.yaml'))).toMatchObject({ apiVersion: 'v2', name: 'pixel-prompt' });
    expect(chart).toMatch(/pixel-prompt$/);
  });
});
