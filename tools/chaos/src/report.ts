export interface FaultSummary {
  fault: string;
  injected: number;
  /** Worst time to recover from one of them, in seconds; undefined when not measured for this fault. */
  worstRecoverySeconds?: number;
  /** What the recovery time measures. */
  recovery: string;
}

export interface Check {
  name: string;
  ok: boolean;
  /** What failed, when it did (a few examples). */
  detail?: string;
}

export interface ChaosReport {
  commit: string;
  startedAt: string;
  durationSeconds: number;
  settings: Record<string, number>;
  faults: FaultSummary[];
  jobs: {
    submitted: number;
    accepted: number;
    /** 503s and lost connections answered before a 202, each retried with the same Idempotency-Key. */
    refusedThenRetried: number;
    completed: number;
    partial: number;
    failed: number;
    lost: number;
  };
  /** Models that ended in error, by code, for the built-in models and the chaos models. */
  modelFailures: { builtIn: Record<string, number>; chaos: Record<string, number> };
  providerCalls: { most: number; allowed: number };
  checks: Check[];
  ok: boolean;
}

const seconds = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(1)} s`);
const counts = (record: Record<string, number>) =>
  Object.keys(record).length === 0 ? 'none' : Object.entries(record).map(([code, n]) => `${code} ${n}`).join(', ');

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

/** The report as Markdown tables, the way docs/RELIABILITY.md shows it. */
export function formatReport(report: ChaosReport): string {
  const { jobs } = report;
  return [
    `Chaos run at ${report.commit}, ${report.startedAt}, ${report.durationSeconds.toFixed(0)} s`,
    '',
    ...table(
      ['Fault', 'Injected', 'Worst recovery', 'Recovery measured as'],
      report.faults.map((f) => [f.fault, String(f.injected), seconds(f.worstRecoverySeconds), f.recovery]),
    ),
    '',
    ...table(
      ['Jobs submitted', 'Accepted (202)', 'Refused, then retried', 'Completed', 'Partial', 'Failed', 'Lost'],
      [[jobs.submitted, jobs.accepted, jobs.refusedThenRetried, jobs.completed, jobs.partial, jobs.failed, jobs.lost].map(String)],
    ),
    '',
    `Model failures by code: built-in models ${counts(report.modelFailures.builtIn)}; chaos models ${counts(report.modelFailures.chaos)}`,
    `Provider calls per model of a job: at most ${report.providerCalls.most} (allowed ${report.providerCalls.allowed})`,
    '',
    ...report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
  ].join('\n');
}
