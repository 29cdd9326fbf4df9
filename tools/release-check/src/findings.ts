/** The parts of a verification, each run when its input is given. */
export type Part = 'kubernetes' | 'smoke' | 'prometheus';

/** The staging verification report's sections that checks and measurements belong to. */
export type Section = 'deployment' | 'smoke' | 'functional' | 'performance' | 'security';

/** `warn` is reported but does not fail the release; `fail` does. */
export type Status = 'pass' | 'warn' | 'fail';

export interface Check {
  section: Section;
  name: string;
  status: Status;
  /** What was measured or found: the named reason when it is not a pass. */
  detail: string;
}

/** A measured value shown in a section's table (image, replicas, p95, ...). */
export interface Fact {
  section: Section;
  name: string;
  value: string;
}

/** What the smoke test cost the client it ran from, so nobody is surprised by a spent budget. */
export interface Spent {
  generations: number;
  modelCalls: number;
  enhancements: number;
  logReports: number;
}

/** Collects what every part found, in the order it was found. */
export class Findings {
  readonly checks: Check[] = [];
  readonly facts: Fact[] = [];
  /** Why a part did not run, by part (absent: it ran). */
  readonly skipped: Partial<Record<Part, string>> = {};
  spent?: Spent;

  pass(section: Section, name: string, detail: string): void {
    this.checks.push({ section, name, status: 'pass', detail });
  }

  warn(section: Section, name: string, detail: string): void {
    this.checks.push({ section, name, status: 'warn', detail });
  }

  fail(section: Section, name: string, detail: string): void {
    this.checks.push({ section, name, status: 'fail', detail });
  }

  /** A pass when `problems` is empty, else one failure listing them all. */
  passUnless(section: Section, name: string, problems: string[], passDetail: string): void {
    if (problems.length === 0) this.pass(section, name, passDetail);
    else this.fail(section, name, problems.join('; '));
  }

  fact(section: Section, name: string, value: string): void {
    this.facts.push({ section, name, value });
  }

  get failed(): Check[] {
    return this.checks.filter((c) => c.status === 'fail');
  }
}

/** An error's message, for a check's detail (never a stack: details end up in reports). */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
