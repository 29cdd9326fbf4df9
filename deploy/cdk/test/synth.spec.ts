import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from '../src/chart';
import { PROJECT_DIR, stackName } from '../src/config';
import { environments } from '../src/environments';

/**
 * `cdk synth` with the real CLI, as an SRE runs it before `cdk deploy`: every environment, from
 * cdk.json and the recorded lookups in cdk.context.json, with no AWS account or network. The CLI
 * also runs what in-process tests leave out: CloudFormation's template validation and cdk-nag as
 * a synth plugin, either of which fails the synth.
 */
describe('cdk synth', () => {
  const out = mkdtempSync(join(tmpdir(), 'pp-cdk-synth-'));
  const contextBefore = readFileSync(join(PROJECT_DIR, 'cdk.context.json'), 'utf8');
  const result = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', '--no-notices', '--output', out], {
    cwd: PROJECT_DIR,
    encoding: 'utf8',
    env: {
      ...process.env,
      // cdk.json's `node bin/app.cjs` must be the workspace's Node.
      PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      // No credentials are needed: keep the SDK from probing an instance metadata service.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });

  it('synthesizes every environment without errors', () => {
    // The CLI reports on stderr, or on stdout when CI is set: read both.
    const output = `${result.stdout}${result.stderr}`;
    expect({ status: result.status, output }).toEqual({ status: 0, output: expect.stringContaining('Successfully synthesized') });
    for (const env of environments()) expect(existsSync(join(out, `${stackName(env)}.template.json`))).toBe(true);
  });

  it('needed no lookup beyond the recorded context', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { missing?: unknown[] };
    expect(manifest.missing ?? []).toEqual([]);
    expect(readFileSync(join(PROJECT_DIR, 'cdk.context.json'), 'utf8')).toBe(contextBefore);
  });

  it('CloudFormation validation and cdk-nag report nothing', () => {
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => ({ plugin: p.pluginName, v })))).toEqual([]);
  });
});
