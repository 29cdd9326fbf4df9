// k6's check and sleep for the script-logic test. sleep blocks the virtual user as in k6, for a
// twentieth of the time asked: think times are the scenario's own pacing, not synchronisation, and
// the test records them as asked.

export const checks: { name: string; ok: boolean }[] = [];
export const pauses: number[] = [];
const TIME_SCALE = 20;

export function check<T>(value: T, sets: Record<string, (value: T) => boolean>): boolean {
  let all = true;
  for (const [name, test] of Object.entries(sets)) {
    const ok = test(value);
    checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}

export function sleep(seconds: number): void {
  pauses.push(seconds);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (seconds * 1000) / TIME_SCALE);
}
