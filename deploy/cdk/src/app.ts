import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { chartFacts, renderChart } from './chart';
import type { Environment } from './config';
import { PixelPromptStack } from './stack';

/**
 * Adds one stack per environment to the app, each matching the chart as that environment renders
 * it, and cdk-nag's AWS Solutions checks: synth fails on any finding not acknowledged with a reason.
 */
export function addEnvironments(app: App, environments: Environment[]): Map<string, PixelPromptStack> {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return new Map(environments.map((env) => [env.name, new PixelPromptStack(app, env, chartFacts(renderChart(env)))]));
}
