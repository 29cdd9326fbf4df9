import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistryError, loadModelRegistry, parseModelRegistry } from './registry';

const model = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  displayName: `Model ${id}`,
  provider: 'local',
  providerModel: 'aurora',
  ...extra,
});

function write(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pp-registry-')), name);
  writeFileSync(path, content);
  return path;
}

describe('model registry', () => {
  it('applies defaults and keeps the declared order', () => {
    const registry = parseModelRegistry({ models: [model('b'), model('a', { enabled: false, timeoutMs: 5000 })] }, 'test');
    expect(registry.models.map((m) => m.id)).toEqual(['b', 'a']);
    expect(registry.get('b')).toMatchObject({ timeoutMs: 120_000, concurrency: 2, enabled: true, options: {} });
    expect(registry.enabled.map((m) => m.id)).toEqual(['b']);
    expect(registry.maxTimeoutMs).toBe(120_000);
  });

  it('reads YAML and JSON files', () => {
    const yaml = write('models.yaml', 'models:\n  - id: one\n    displayName: One\n    provider: local\n    providerModel: aurora\n    timeoutMs: 9000\n');
    expect(loadModelRegistry(yaml).get('one')?.timeoutMs).toBe(9000);
    const json = write('models.json', JSON.stringify({ models: [model('two')] }));
    expect(loadModelRegistry(json).models[0]?.id).toBe('two');
  });

  it.each([
    ['no models', { models: [] }, 'models must list at least one model'],
    ['21 models', { models: Array.from({ length: 21 }, (_, i) => model(`m${i}`)) }, 'models may list at most 20 models'],
    ['a duplicate id', { models: [model('a'), model('a')] }, 'models[1].id duplicate id "a"'],
    ['no enabled model', { models: [model('a', { enabled: false })] }, 'models must enable at least one model'],
    ['a malformed id', { models: [model('Bad Id')] }, 'models[0].id must be 1-40 lowercase letters, digits or dashes'],
    ['a tiny timeout', { models: [model('a', { timeoutMs: 10 })] }, 'models[0].timeoutMs'],
    ['an unknown field', { models: [model('a', { colour: 'red' })] }, 'models[0]'],
    ['a misspelt root', { model: [] }, '(root)'],
  ])('rejects %s, naming the problem', (_name, content, problem) => {
    expect(() => parseModelRegistry(content, 'registry.yaml')).toThrow(ModelRegistryError);
    expect(() => parseModelRegistry(content, 'registry.yaml')).toThrow(problem);
  });

  it('names the file when it cannot be read or parsed', () => {
    const broken = write('broken.yaml', 'models: [unclosed');
    expect(() => loadModelRegistry(broken)).toThrow(`Invalid model registry ${broken}`);
    expect(() => loadModelRegistry('/nonexistent/models.yaml')).toThrow('Invalid model registry /nonexistent/models.yaml');
  });
});
