import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type ChartFacts, type RenderedObject, renderChart } from '../src/chart';
import { type Environment, type EnvironmentInput, PROJECT_DIR, parseEnvironment } from '../src/config';
import { ENVIRONMENT_INPUTS, environment } from '../src/environments';
import { PixelPromptStack } from '../src/stack';

export { ENVIRONMENT_INPUTS };

/** The context the CDK CLI gives the app: cdk.json's feature flags and the recorded lookups. */
export function cdkContext(): Record<string, unknown> {
  const read = (file: string) => JSON.parse(readFileSync(join(PROJECT_DIR, file), 'utf8')) as Record<string, unknown>;
  return { ...(read('cdk.json')['context'] as Record<string, unknown>), ...read('cdk.context.json') };
}

/**
 * A new app with the CLI's context. CloudFormation's own template validation is left to the CLI
 * synth test (it runs it once for every environment): it costs seconds per app.
 */
export function newApp(): App {
  return new App({ context: cdkContext(), builtinCloudFormationValidation: false });
}

/** One environment's stack from its configuration and the chart facts given (rendered or made up). */
export function stackTemplate(input: EnvironmentInput, facts: ChartFacts): { stack: PixelPromptStack; template: Template; env: Environment } {
  const env = parseEnvironment(input);
  const stack = new PixelPromptStack(newApp(), env, facts);
  return { stack, template: Template.fromStack(stack), env };
}


/** The chart rendered the way tools/deploy/deploy.sh renders an environment, plus any `-f` files. */
export function renderAsDeployed(name: string, ...valuesFiles: string[]): RenderedObject[] {
  return renderChart(environment(name), ...valuesFiles);
}

/** A CloudFormation value with intrinsics flattened to text (`<Logical.Attr>`), for matching ARNs. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (object['Ref'] !== undefined) return `<${String(object['Ref'])}>`;
  if (Array.isArray(object['Fn::GetAtt'])) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

export function resources(template: Template): Resources {
  return template.toJSON()['Resources'] as Resources;
}

/** Every policy statement in a template, with the resource type and logical id holding it. */
export function statements(template: Template): { holder: string; type: string; statement: Statement }[] {
  const documents: { holder: string; type: string; document: unknown }[] = [];
  for (const [id, resource] of Object.entries(resources(template))) {
    const p = resource.Properties ?? {};
    for (const key of ['PolicyDocument', 'KeyPolicy', 'AssumeRolePolicyDocument']) {
      if (p[key]) documents.push({ holder: id, type: resource.Type, document: p[key] });
    }
    for (const inline of list(p['Policies'] as { PolicyDocument: unknown }[] | undefined)) {
      documents.push({ holder: id, type: resource.Type, document: inline.PolicyDocument });
    }
  }
  return documents.flatMap(({ holder, type, document }) =>
    list((document as { Statement: Statement[] }).Statement).map((statement) => ({ holder, type, statement })),
  );
}

/** The role a component's ServiceAccount assumes, and its policy statements. */
export function roleOf(template: Template, env: Environment, component: string): { id: string; trust: Statement[]; policy: Statement[] } {
  const all = resources(template);
  const entry = Object.entries(all).find(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties['RoleName'] === `pixel-prompt-${env.name}-${component}`);
  if (!entry) throw new Error(`no role for ${component}`);
  const [id, role] = entry;
  const policy = Object.values(all)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && list(r.Properties['Roles'] as unknown[]).some((ref) => flatten(ref) === `<${id}>`))
    .flatMap((r) => list((r.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement));
  return { id, trust: list((role.Properties['AssumeRolePolicyDocument'] as { Statement: Statement[] }).Statement), policy };
}
