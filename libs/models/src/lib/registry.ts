import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * Adapters the generation service has: `local` renders the built-in procedural models; `chaos`
 * fails or hangs on purpose, for tests and failure drills; the others call hosted image APIs
 * (docs/PROVIDERS.md).
 */
export const PROVIDER_NAMES = ['local', 'chaos', 'openai', 'openai-compatible', 'stability', 'bfl', 'bedrock', 'google', 'recraft'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

const modelSchema = z
  .object({
    /** Stable id used in the API, queue names, S3 keys and metric labels. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or dashes'),
    displayName: z.string().min(1).max(60),
    /** Which adapter calls the model. */
    provider: z.enum(PROVIDER_NAMES, { error: `must be one of ${PROVIDER_NAMES.join(', ')}` }),
    /** The model's name at its provider (for `local`: the style). */
    providerModel: z.string().min(1),
    /** Longest a single call may take before it is aborted and reported as TIMEOUT. */
    timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
    /** Calls in flight at once per generation replica. */
    concurrency: z.number().int().min(1).max(64).default(2),
    enabled: z.boolean().default(true),
    /** Provider-specific settings (size, base URL, ...). */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const registrySchema = z
  .object({ models: z.array(modelSchema).min(1, 'must list at least one model').max(20, 'may list at most 20 models') })
  .strict()
  .superRefine(({ models }, ctx) => {
    const seen = new Set<string>();
    models.forEach((model, index) => {
      if (seen.has(model.id)) ctx.addIssue({ code: 'custom', path: ['models', index, 'id'], message: `duplicate id "${model.id}"` });
      seen.add(model.id);
    });
    if (!models.some((m) => m.enabled)) ctx.addIssue({ code: 'custom', path: ['models'], message: 'must enable at least one model' });
  });

export type ModelConfig = z.output<typeof modelSchema>;
export type ModelRegistryFile = z.input<typeof registrySchema>;

export class ModelRegistryError extends Error {
  constructor(source: string, problems: string[]) {
    super(`Invalid model registry ${source}: ${problems.join('; ')}`);
    this.name = 'ModelRegistryError';
  }
}

/** The configured models, in display order. */
export class ModelRegistry {
  private readonly byId: Map<string, ModelConfig>;

  constructor(readonly models: readonly ModelConfig[]) {
    this.byId = new Map(models.map((m) => [m.id, m]));
  }

  get enabled(): ModelConfig[] {
    return this.models.filter((m) => m.enabled);
  }

  get(id: string): ModelConfig | undefined {
    return this.byId.get(id);
  }

  /** The longest per-call timeout: shutdown and Kubernetes grace periods must outlast it. */
  get maxTimeoutMs(): number {
    return Math.max(...this.models.map((m) => m.timeoutMs));
  }
}

/** Validates registry content; `source` names it in errors. */
export function parseModelRegistry(content: unknown, source: string): ModelRegistry {
  const result = registrySchema.safeParse(content);
  if (!result.success) {
    throw new ModelRegistryError(
      source,
      result.error.issues.map((issue) => `${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)'} ${issue.message}`),
    );
  }
  return new ModelRegistry(result.data.models);
}

/** Reads a registry file, JSON or YAML (YAML is a superset of JSON, so one parser reads both). */
export function loadModelRegistry(path: string): ModelRegistry {
  let content: unknown;
  try {
    content = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelRegistryError(path, [error instanceof Error ? error.message.split('\n')[0] ?? 'unreadable' : 'unreadable']);
  }
  return parseModelRegistry(content, path);
}
