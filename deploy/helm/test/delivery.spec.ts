import { join } from 'node:path';
import { root, run, valuesFile } from './support';

const deploy = (...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args]);

describe('tools/deploy/deploy.sh --dry-run', () => {
  it.each(['dev', 'staging', 'prod'])('lints, renders and validates %s without a cluster', (env) => {
    const result = deploy(env, '--dry-run');
    expect(result.stderr).toContain('0 chart(s) failed');
    expect(result.stderr).toContain(`renders valid objects; nothing was applied`);
    expect(result.status).toBe(0);
  });

  it('stops before applying when the values are invalid', () => {
    const result = deploy('prod', '--dry-run', '-f', valuesFile({ gateway: { port: 'http' } }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain('nothing was applied');
  });

  it('refuses an unknown environment', () => {
    const result = deploy('qa', '--dry-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown environment: qa');
  });
});
