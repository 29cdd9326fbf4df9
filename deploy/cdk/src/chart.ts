import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_MODELS, type ModelConfig, parseModelRegistry } from '@pixel-prompt/models';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { Environment, EnvironmentName } from './config';

export const WORKSPACE_ROOT = join(__dirname, '../../..');
export const CHART_DIR = join(WORKSPACE_ROOT, 'deploy/helm/pixel-prompt');

/** What the Bedrock callers default to when a model or the enhancer names no region (libs/providers, the gateway's AWS_REGION). */
export const BEDROCK_DEFAULT_REGION = 'us-east-1';
/** The gateway's Bedrock enhancer model when ENHANCER_MODEL is unset (libs/prompts BEDROCK_ENHANCER_MODEL). */
export const BEDROCK_DEFAULT_ENHANCER_MODEL = 'amazon.nova-lite-v1:0';

/** A Kubernetes object as helm renders it; only the fields read here are typed. */
export interface RenderedObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
}

/** A ServiceAccount the chart renders: the component it belongs to, and who it is to IAM. */
export interface ServiceAccount {
  component: string;
  namespace: string;
  name: string;
}

/** A Bedrock model a service invokes, with the region it calls. */
export interface BedrockModel {
  modelId: string;
  region: string;
}

/** A Bedrock guardrail a service applies (ApplyGuardrail): its id, region and account (unset: the stack's own). */
export interface Guardrail {
  guardrailId: string;
  region: string;
  account?: string;
}

/** What the cloud resources must match in the chart an environment deploys. */
export interface ChartFacts {
  serviceAccounts: ServiceAccount[];
  /** Per component, the Bedrock models it calls. */
  bedrockModels: Record<string, BedrockModel[]>;
  /** Per component, the Bedrock guardrails it applies (the gateway's moderation stage). */
  guardrails: Record<string, Guardrail[]>;
  /** The gateway's REDIS_WAIT_REPLICAS: replicas that must hold a job before it is accepted. */
  redisWaitReplicas: number;
}

/** Runs the workspace's real helm (tools/helm/helm.sh) and returns its output; a failure throws with helm's message. */
export function helm(...args: string[]): string {
  return execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/helm/helm.sh'), ...args], {
    encoding: 'utf8',
    // helm.sh runs `node`: the one running this code, whatever PATH says.
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Where tools/deploy/deploy.sh installs an environment's chart, from deploy/helm/environments.yaml:
 * the IAM roles trust the service accounts the chart renders for that release in that namespace.
 */
export function chartPlacement(name: EnvironmentName): Environment['chart'] {
  const environments = parseYaml(readFileSync(join(WORKSPACE_ROOT, 'deploy/helm/environments.yaml'), 'utf8')) as Record<string, Partial<Environment['chart']> | undefined>;
  const { release = '', namespace = '' } = environments[name] ?? {};
  return { release, namespace };
}

/** The manifests of an environment as tools/deploy/deploy.sh renders them without a cluster, plus any `-f` files. */
export function templateChart(env: Environment, ...valuesFiles: string[]): string {
  const crds = parseYaml(readFileSync(join(WORKSPACE_ROOT, 'deploy/helm/crd-api-versions.yaml'), 'utf8')) as string[];
  const files = [join(CHART_DIR, `values-${env.name}.yaml`), ...valuesFiles].flatMap((file) => ['-f', file]);
  return helm('template', env.chart.release, CHART_DIR, '--namespace', env.chart.namespace, ...crds.flatMap((api) => ['--api-versions', api]), ...files);
}

/** The chart as tools/deploy/deploy.sh renders an environment (before its own `-f` overrides, unless given). */
export function renderChart(env: Environment, ...valuesFiles: string[]): RenderedObject[] {
  return parseManifests(templateChart(env, ...valuesFiles));
}

export function parseManifests(manifests: string): RenderedObject[] {
  return parseAllDocuments(manifests)
    .map((doc) => doc.toJS() as RenderedObject | null)
    .filter((object): object is RenderedObject => object !== null);
}

const COMPONENT_LABEL = 'app.kubernetes.io/component';

function envOf(objects: RenderedObject[], component: string): Map<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.[COMPONENT_LABEL] === component);
  const env = deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return new Map(env.filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}

/** The registry generation runs: the chart's ConfigMap when it ships one, else the built-in models. */
function registryModels(objects: RenderedObject[]): ModelConfig[] {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['models.yaml'] !== undefined);
  const content = configMap ? parseYaml(configMap.data?.['models.yaml'] ?? '') : DEFAULT_MODELS;
  return [...parseModelRegistry(content, configMap ? `ConfigMap ${configMap.metadata.name}` : 'built-in').enabled];
}

/** A foundation model id: `<provider>.<model>`, e.g. amazon.nova-canvas-v1:0. */
const FOUNDATION_MODEL_ID = /^[a-z0-9-]+\.[a-z0-9.:-]+$/;
/** Cross-region inference profiles start with their geography: us.amazon.nova-lite-v1:0. */
const INFERENCE_PROFILE_ID = /^(us|us-gov|eu|apac|jp|au|ca|global)\./;

function bedrockModel(modelId: string, region: string): BedrockModel {
  // A profile routes to foundation models in several regions, which its id does not name: the
  // permissions it needs cannot be derived, so the configuration must name the model itself.
  if (!FOUNDATION_MODEL_ID.test(modelId) || INFERENCE_PROFILE_ID.test(modelId)) {
    throw new Error(`Bedrock model "${modelId}": name a foundation model id (e.g. amazon.nova-canvas-v1:0), not an ARN or an inference profile`);
  }
  return { modelId, region };
}

/** MODERATION_GUARDRAIL_ID as the gateway takes it: a guardrail id (in AWS_REGION, this account) or a guardrail ARN. */
const GUARDRAIL_ARN = /^arn:aws(?:-[^:]+)?:bedrock:([a-z0-9-]{1,20}):(\d{12}):guardrail\/([a-z0-9]+)$/;

function guardrail(identifier: string, region: string): Guardrail {
  const arn = GUARDRAIL_ARN.exec(identifier);
  if (arn) return { guardrailId: String(arn[3]), region: String(arn[1]), account: String(arn[2]) };
  if (!/^[a-z0-9]+$/.test(identifier)) throw new Error(`Bedrock guardrail "${identifier}": name a guardrail id or ARN`);
  return { guardrailId: identifier, region };
}

/** Reads the chart's rendered objects: service accounts, the Bedrock models and guardrails generation and the gateway use, the replicas the gateway waits for. */
export function chartFacts(objects: RenderedObject[]): ChartFacts {
  const serviceAccounts = objects
    .filter((o) => o.kind === 'ServiceAccount')
    .map((o) => {
      const component = o.metadata.labels?.[COMPONENT_LABEL];
      if (!component || !o.metadata.namespace) throw new Error(`ServiceAccount ${o.metadata.name} has no component label or namespace`);
      return { component, namespace: o.metadata.namespace, name: o.metadata.name };
    });

  const generation = registryModels(objects)
    .filter((m) => m.provider === 'bedrock')
    .map((m) => bedrockModel(m.providerModel, typeof m.options['region'] === 'string' ? m.options['region'] : BEDROCK_DEFAULT_REGION));

  const gatewayEnv = envOf(objects, 'gateway');
  const gatewayRegion = gatewayEnv.get('AWS_REGION') ?? BEDROCK_DEFAULT_REGION;
  const gateway = gatewayEnv.get('ENHANCER') === 'bedrock' ? [bedrockModel(gatewayEnv.get('ENHANCER_MODEL') ?? BEDROCK_DEFAULT_ENHANCER_MODEL, gatewayRegion)] : [];
  const guardrailId = gatewayEnv.get('MODERATION') === 'bedrock' ? gatewayEnv.get('MODERATION_GUARDRAIL_ID') : undefined;

  return {
    serviceAccounts,
    bedrockModels: { generation, gateway },
    guardrails: { gateway: guardrailId ? [guardrail(guardrailId, gatewayRegion)] : [] },
    redisWaitReplicas: Number(gatewayEnv.get('REDIS_WAIT_REPLICAS') ?? 0),
  };
}
