import { Document } from 'yaml';
import { type Environment, stackName } from './config';

/**
 * The stack's CloudFormation outputs, by key: what the chart needs from the cloud. Role ARNs are
 * `<Component>RoleArn`, one per ServiceAccount the chart renders.
 */
export const OUTPUT = {
  region: 'Region',
  imagesBucket: 'ImagesBucketName',
  cdnBaseUrl: 'CdnBaseUrl',
  cdnKeyPairId: 'CdnKeyPairId',
  redisUrlSecret: 'RedisUrlSecretName',
  redisEndpoint: 'RedisEndpoint',
} as const;

const ROLE_ARN_SUFFIX = 'RoleArn';

export function roleArnOutput(component: string): string {
  return `${component.charAt(0).toUpperCase()}${component.slice(1)}${ROLE_ARN_SUFFIX}`;
}

/** `cdk deploy --outputs-file` writes `{ "<stack>": { "<output key>": "<value>" } }`. */
export type OutputsFile = Record<string, Record<string, string>>;

export class OutputsError extends Error {
  override name = 'OutputsError';
}

/** The chart values the stack's outputs set, for this environment. */
export interface ChartValues {
  s3: { bucket: string; region: string; endpoint: string; forcePathStyle: boolean };
  cdn?: { baseUrl: string; keyPairId?: string; privateKeySecretKey?: string };
  [component: string]: unknown;
}

function required(outputs: Record<string, string>, key: string, stack: string): string {
  const value = outputs[key];
  if (!value) throw new OutputsError(`stack ${stack} has no output ${key}: deploy it with this version of deploy/cdk first`);
  return value;
}

/** Maps an environment's stack outputs onto the chart's values (bucket, region, CDN, IRSA role ARNs). */
export function chartValuesFromOutputs(env: Environment, file: OutputsFile): ChartValues {
  const stack = stackName(env);
  const outputs = file[stack];
  if (!outputs) throw new OutputsError(`no outputs of stack ${stack} in the file (it has: ${Object.keys(file).join(', ') || 'nothing'})`);

  const values: ChartValues = {
    // The real bucket, through AWS's own endpoint (dev's values point at an in-cluster S3 otherwise).
    s3: { bucket: required(outputs, OUTPUT.imagesBucket, stack), region: required(outputs, OUTPUT.region, stack), endpoint: '', forcePathStyle: false },
  };
  if (env.cdn) {
    values.cdn = { baseUrl: required(outputs, OUTPUT.cdnBaseUrl, stack) };
    if (env.cdn.signing) {
      values.cdn.keyPairId = required(outputs, OUTPUT.cdnKeyPairId, stack);
      values.cdn.privateKeySecretKey = env.cdn.signing.privateKeySecretKey;
    }
  }
  const roles = Object.entries(outputs).filter(([key]) => key.endsWith(ROLE_ARN_SUFFIX) && key.length > ROLE_ARN_SUFFIX.length);
  if (roles.length === 0) throw new OutputsError(`stack ${stack} has no <Component>RoleArn outputs`);
  for (const [key, arn] of roles) {
    const component = `${key.charAt(0).toLowerCase()}${key.slice(1, -ROLE_ARN_SUFFIX.length)}`;
    values[component] = { serviceAccount: { roleArn: arn } };
  }
  return values;
}

/**
 * The values file for `helm -f` (tools/deploy/deploy.sh -f): the values, with where REDIS_URL
 * comes from as a comment, since the chart reads it from the environment's Secret, never values.
 */
export function valuesYaml(env: Environment, file: OutputsFile): string {
  const values = chartValuesFromOutputs(env, file);
  const outputs = file[stackName(env)] ?? {};
  const doc = new Document(values);
  const lines = [
    ` Chart values of ${env.name} from the outputs of stack ${stackName(env)} (deploy/cdk values-from-outputs).`,
    ' Generated: change the stack, not this file.',
  ];
  if (env.redis) {
    lines.push(
      ` REDIS_URL is Secrets Manager secret ${required(outputs, OUTPUT.redisUrlSecret, stackName(env))} (primary endpoint`,
      ` ${required(outputs, OUTPUT.redisEndpoint, stackName(env))}): sync it into key REDIS_URL of the Secret secrets.existingSecret names.`,
    );
  }
  doc.commentBefore = lines.join('\n');
  return doc.toString({ lineWidth: 0 });
}
