#!/usr/bin/env node
// Live smoke test of the hosted image providers: one image per enabled model of a registry, with
// real keys, reporting time and size. It spends real money, so it is never part of CI or `nx test`.
//
//   source tools/node/use-node24.sh
//   OPENAI_API_KEY=... BFL_API_KEY=... node tools/providers/smoke.mjs [registry.yaml] [prompt] [out-dir]
//
// Keys come from the same variables as the generation service (or their *_FILE variants); AWS from
// the default credential chain. Models whose key is missing are reported as skipped, never called.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

// The libraries are TypeScript; compile them on the fly with the workspace's own path aliases.
require(join(root, 'tools/node/register-ts.cjs'))(join(root, 'libs/providers/tsconfig.json'));

const { checkSecrets, inlineKeySchema, keyFileSchema, loadConfig, secretOf, secretsEnvShape } = require(join(root, 'libs/config/src/index.ts'));
const { loadModelRegistry } = require(join(root, 'libs/models/src/index.ts'));
const { PROVIDER_KEY_VARIABLES, ProviderCredentials, ProviderError, hostedProviders } = require(join(root, 'libs/providers/src/index.ts'));

const [registryPath = join(root, 'tools/providers/models.example.yaml'), prompt = 'a lighthouse on a cliff at dusk, oil painting', outDir] = process.argv.slice(2);

// Read and checked as the generation service reads them (libs/config secrets.ts).
const variables = Object.values(PROVIDER_KEY_VARIABLES);
const env = loadConfig(z.object(secretsEnvShape(variables, inlineKeySchema, keyFileSchema)).superRefine((e, ctx) => checkSecrets(e, variables, ctx)));
const keys = Object.fromEntries(
  Object.entries(PROVIDER_KEY_VARIABLES)
    .map(([provider, variable]) => [provider, secretOf(env, variable)])
    .filter(([, key]) => key),
);
const credentials = new ProviderCredentials(keys);
const adapters = hostedProviders(credentials);
const registry = loadModelRegistry(resolve(registryPath));
if (outDir) mkdirSync(outDir, { recursive: true });

const rows = [];
await Promise.all(
  registry.enabled.map(async (model) => {
    const adapter = adapters[model.provider];
    const missing = credentials.missingFor(model);
    if (!adapter || missing) {
      rows.push({ model: model.id, provider: model.provider, outcome: 'skipped', detail: adapter ? `${missing} not set` : 'not a hosted provider' });
      return;
    }
    const started = performance.now();
    try {
      const result = await adapter.generate({ prompt, steps: 25, guidance: 7, seed: 42, model }, AbortSignal.timeout(model.timeoutMs));
      const ms = Math.round(performance.now() - started);
      if (outDir) writeFileSync(join(outDir, `${model.id}.${result.mimeType.split('/')[1]}`), result.image);
      rows.push({ model: model.id, provider: model.provider, outcome: 'ok', ms, detail: `${result.width}x${result.height} ${result.mimeType} ${Math.round(result.image.byteLength / 1024)} KiB` });
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      const detail = error instanceof ProviderError ? `${error.code}: ${error.message}` : `TIMEOUT or crash: ${error?.message ?? error}`;
      rows.push({ model: model.id, provider: model.provider, outcome: 'failed', ms, detail });
    }
  }),
);

adapters.bedrock.destroy();
rows.sort((a, b) => registry.models.findIndex((m) => m.id === a.model) - registry.models.findIndex((m) => m.id === b.model));
console.table(rows);
process.exitCode = rows.some((r) => r.outcome === 'failed') ? 1 : 0;
