/**
 * The value a validated configuration holds for `variable` (a key read from its variable or its
 * `*_FILE`): the schema refused a configuration without one, so a missing one here is a programming error.
 */
export function configured(variable: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`${variable} is not set`);
  return value;
}
