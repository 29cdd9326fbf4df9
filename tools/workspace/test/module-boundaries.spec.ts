import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { workspaceRoot } from '@pixel-prompt/testing';

const root = workspaceRoot();

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

/**
 * Lints `code` as if it were the file at `path` (relative to the root) with the ESLint CLI run from
 * the project's folder, so with the project's own config, exactly as `nx lint` does. Returns the
 * boundary errors, each prefixed with its rule.
 */
async function lintErrors(path: string, code: string): Promise<string[]> {
  const [kind, project] = path.split('/');
  const cwd = join(root, String(kind), String(project));
  const eslint = spawnSync(
    process.execPath,
    [join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', relative(cwd, join(root, path)), '--format', 'json'],
    { cwd, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(eslint.stdout) as LintResult[];
  const errors = (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports')
    .map((m) => `${m.ruleId}: ${m.message}`);
  // ESLint's exit status is what fails CI: 1 exactly when it reported errors.
  expect(eslint.status).toBe(errors.length > 0 ? 1 : 0);
  return errors;
}

describe('module boundaries (lint fixtures)', () => {
  it('fails lint when the browser-safe contracts import a server library', async () => {
    const errors = await lintErrors(
      'libs/contracts/src/lib/violation.ts',
      "import { loadConfig } from '@pixel-prompt/config';\nexport const load = loadConfig;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*scope:shared/)]);
  });

  it('fails lint when the contracts import a Node-only package', async () => {
    const errors = await lintErrors(
      'libs/contracts/src/lib/violation.ts',
      "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n",
    );
    expect(errors).toEqual(['no-restricted-imports: \'node:crypto\' import is restricted from being used by a pattern. The contracts must stay browser-safe.']);
  });

  it('fails lint when the web app imports a server library', async () => {
    const errors = await lintErrors(
      'apps/web/src/app/violation.ts',
      "import { RedisModule } from '@pixel-prompt/redis';\nexport const m = RedisModule;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*scope:web/)]);
  });

  it('fails lint when a util library depends on a data-access library', async () => {
    const errors = await lintErrors(
      'tools/workspace/test/violation.ts',
      "import { ObjectStorage } from '@pixel-prompt/storage';\nexport const s = ObjectStorage;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*type:util/)]);
  });

  it('fails lint when a data-access library depends on a feature library', async () => {
    const errors = await lintErrors(
      'libs/jobs/src/lib/violation.ts',
      "import { ContentFilter } from '@pixel-prompt/prompts';\nexport const f = ContentFilter;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*type:data-access/)]);
  });

  it('fails lint when a data-access library depends on the generation use case (which depends on it in turn)', async () => {
    const errors = await lintErrors(
      'libs/jobs/src/lib/violation.ts',
      "import { GenerationService } from '@pixel-prompt/generation';\nexport const g = GenerationService;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: Circular dependency between "jobs" and "generation-feature"/)]);
  });

  it('fails lint when the generation use case imports an app', async () => {
    const errors = await lintErrors(
      'libs/generation/src/lib/violation.ts',
      "import { Edge } from '../../../../apps/gateway/src/edge';\nexport const e = Edge;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('fails lint when the prompt policy imports an app', async () => {
    const errors = await lintErrors(
      'libs/prompts/src/lib/violation.ts',
      "import { EdgeController } from '../../../../apps/gateway/src/edge.controller';\nexport const e = EdgeController;\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('passes imports the tag matrix allows', async () => {
    expect(
      await lintErrors(
        'apps/gateway/src/allowed.ts',
        "import { ServiceModule } from '@pixel-prompt/service';\nimport { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';\nimport { ContentFilter } from '@pixel-prompt/prompts';\nimport { GenerationService } from '@pixel-prompt/generation';\nexport const a = [ServiceModule, CORRELATION_ID_HEADER, ContentFilter, GenerationService];\n",
      ),
    ).toEqual([]);
  });

  it('lets the cloud infrastructure read the bucket layout through its own entry point', async () => {
    expect(
      await lintErrors(
        'deploy/cdk/src/allowed.ts',
        "import { IMAGES_PREFIX } from '@pixel-prompt/storage/layout';\nexport const prefix = IMAGES_PREFIX;\n",
      ),
    ).toEqual([]);
  });
});

describe('project graph', () => {
  it('holds the apps and the libraries, every project tagged with a scope and a type', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pp-graph-')), 'graph.json');
    execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'pipe',
    });
    const { graph } = JSON.parse(readFileSync(file, 'utf8')) as {
      graph: { nodes: Record<string, { type: string; data: { tags?: string[] } }> };
    };
    const apps = Object.entries(graph.nodes)
      .filter(([, n]) => n.type === 'app' && n.data.tags?.includes('type:app'))
      .map(([name]) => name)
      .sort();
    expect(apps).toEqual(['cdk', 'gallery', 'gateway', 'generation', 'web']);
    expect(Object.keys(graph.nodes)).toEqual(expect.arrayContaining(['contracts', 'config', 'observability', 'service', 'redis', 'storage', 'generation-feature']));
    for (const [name, node] of Object.entries(graph.nodes)) {
      const tags = node.data.tags ?? [];
      expect({ name, scope: tags.filter((t) => t.startsWith('scope:')).length }).toEqual({ name, scope: 1 });
      expect({ name, type: tags.filter((t) => t.startsWith('type:')).length }).toEqual({ name, type: 1 });
    }
  });
});
