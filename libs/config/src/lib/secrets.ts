import { z } from 'zod';

/** The two variables of a secret: `NAME` holds it inline, `NAME_FILE` names a mounted file holding it. */
export type SecretVariables<N extends string> = N | `${N}_FILE`;

/**
 * The variables of the secrets `names`, each given inline (`inline` checks it) or as a mounted file
 * (`file` reads and checks it at boot, so the configuration holds the content, never the path), one
 * of the two: `checkSecrets` refuses both.
 */
export function secretsEnvShape<const N extends string>(
  names: readonly N[],
  inline: z.ZodType<string, string>,
  file: z.ZodType<string, string>,
): Record<SecretVariables<N>, z.ZodOptional<z.ZodType<string, string>>> {
  return Object.fromEntries(names.flatMap((name) => [[name, inline.optional()], [`${name}_FILE`, file.optional()]])) as Record<
    SecretVariables<N>,
    z.ZodOptional<z.ZodType<string, string>>
  >;
}

/** Refuses a secret given both inline and as a file (naming the variables, never the values). */
export function checkSecrets<N extends string>(env: Partial<Record<SecretVariables<N>, string>>, names: readonly N[], ctx: z.RefinementCtx): void {
  for (const name of names) {
    if (env[name] && env[`${name}_FILE`]) ctx.addIssue({ code: 'custom', path: [`${name}_FILE`], message: `must not be set together with ${name}` });
  }
}

/** The secret `name` from whichever of its two variables holds it; undefined when neither does. */
export function secretOf<N extends string>(env: Partial<Record<SecretVariables<N>, string>>, name: N): string | undefined {
  return env[name] || env[`${name}_FILE`] || undefined;
}
