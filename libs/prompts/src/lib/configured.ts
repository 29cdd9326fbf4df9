/**
 * The first value a validated configuration holds for `variable` (a key inline, then the content of its
 * `*_FILE`): the schema refused a configuration without one, so a missing one here is a programming error.
 */
export function configured(variable: string, ...values: (string | undefined)[]): string {
  const value = values.find((candidate) => candidate !== undefined && candidate !== '');
  if (value === undefined) throw new Error(`${variable} is not set`);
  return value;
}
