import { join } from 'node:path';
import { NO_PERSISTENCE, crashLoss, startProcess, workspaceRoot } from '@pixel-prompt/testing';

/** The Redis arguments the local stack persists with, read from tools/stack/components.mjs itself. */
async function stackPersistence(): Promise<string[]> {
  const components = join(workspaceRoot(), 'tools/stack/components.mjs');
  const script = `import(${JSON.stringify(components)}).then((m) => console.log(JSON.stringify(m.REDIS_PERSISTENCE)))`;
  const node = await startProcess(process.execPath, ['-e', script]);
  expect(await node.waitForExit()).toBe(0);
  return JSON.parse(node.output()) as string[];
}

describe('local stack Redis', () => {
  it('keeps every acknowledged write through kill -9 and a restart on the same data directory', async () => {
    const persistence = await stackPersistence();
    expect(persistence.join(' ')).toContain('--appendonly yes --appendfsync always');
    const { acknowledged, lost } = await crashLoss(persistence);
    expect(acknowledged).toBeGreaterThanOrEqual(2000);
    expect(lost).toBe(0);
  });

  it('would lose them without persistence (the check can fail)', async () => {
    const { lost, acknowledged } = await crashLoss(NO_PERSISTENCE);
    expect(lost).toBe(acknowledged);
  });
});
