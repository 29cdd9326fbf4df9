import { z } from 'zod';

export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Thrown when the environment does not satisfy a service's configuration schema. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a service's configuration from the environment (12-factor) and validates it once.
 * Every bad variable is reported at the same time. Values are never echoed back: they may be secrets.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // An empty variable (FOO=) means "not set", so defaults apply and required ones are reported missing.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;

  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(environment)');
    if (problems.has(variable)) continue;
    problems.set(variable, variable in present ? issue.message : 'is required but not set');
  }
  throw new ConfigError([...problems].map(([variable, problem]) => ({ variable, problem })));
}

/**
 * Ends a boot that cannot succeed: one JSON line on stderr (the process's log format) saying why,
 * then exit status 1, before any connection is opened.
 */
export function exitWithFatal(service: string, message: string, fields: Record<string, unknown> = {}): never {
  process.stderr.write(JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service, msg: message, ...fields }) + '\n');
  process.exit(1);
}

/** As {@link loadConfig}, but on failure exits naming every bad variable (see exitWithFatal). */
export function loadConfigOrExit<S extends z.ZodObject>(
  schema: S,
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return exitWithFatal(service, error.message, { invalidVariables: error.problems.map((p) => p.variable) });
  }
}
