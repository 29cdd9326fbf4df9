import type { Check, Fact, Findings, Part, Section } from './findings';

export interface Verification {
  release: string;
  namespace: string;
  url?: string;
  prometheus?: string;
  startedAt: Date;
  finishedAt: Date;
  /** Where it ran from, for the sign-off. */
  host: string;
  findings: Findings;
}

/** The seeds' staging verification report, in order, with the parts whose results fill each. */
const SECTIONS: { section: Section; title: string; parts: Part[] }[] = [
  { section: 'deployment', title: 'Deployment info', parts: ['kubernetes', 'prometheus'] },
  { section: 'smoke', title: 'Smoke tests', parts: ['smoke'] },
  { section: 'functional', title: 'Functional', parts: ['smoke'] },
  { section: 'performance', title: 'Performance', parts: ['smoke', 'prometheus', 'kubernetes'] },
  { section: 'security', title: 'Security', parts: ['kubernetes', 'smoke'] },
];

const PART_NAMES: Record<Part, string> = { kubernetes: 'Kubernetes', smoke: 'smoke and functional tests', prometheus: 'Prometheus' };

export function verdict(findings: Findings): 'PASS' | 'FAIL' {
  return findings.failed.length === 0 ? 'PASS' : 'FAIL';
}

function counts(findings: Findings): string {
  const of = (status: Check['status']) => findings.checks.filter((c) => c.status === status).length;
  return `${of('pass')} passed, ${of('warn')} warnings, ${of('fail')} failed`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function factsTable(facts: Fact[]): string[] {
  if (facts.length === 0) return [];
  return ['| Measure | Value |', '| --- | --- |', ...facts.map((f) => `| ${cell(f.name)} | ${cell(f.value)} |`), ''];
}

const MARK: Record<Check['status'], string> = { pass: 'pass', warn: 'warn', fail: '**FAIL**' };

function checksTable(checks: Check[]): string[] {
  if (checks.length === 0) return [];
  return ['| Check | Result | Detail |', '| --- | --- | --- |', ...checks.map((c) => `| ${cell(c.name)} | ${MARK[c.status]} | ${cell(c.detail)} |`), ''];
}

/** The Markdown report: every section says what was measured there, or why nothing was. */
export function toMarkdown(v: Verification): string {
  const f = v.findings;
  const result = verdict(f);
  const seconds = ((v.finishedAt.getTime() - v.startedAt.getTime()) / 1000).toFixed(0);
  const lines = [
    `# Staging verification report: ${v.release} (${v.namespace})`,
    '',
    `**${result}**: ${counts(f)}. Checked ${v.startedAt.toISOString()} in ${seconds} s.`,
    '',
  ];
  for (const { section, title, parts } of SECTIONS) {
    lines.push(`## ${title}`, '');
    const facts = f.facts.filter((x) => x.section === section);
    if (section === 'deployment') {
      facts.unshift(
        { section, name: 'Target', value: `release ${v.release}, namespace ${v.namespace}` },
        { section, name: 'Public URL', value: v.url ?? 'not given' },
        { section, name: 'Prometheus', value: v.prometheus ?? 'not given' },
      );
    }
    if (section === 'smoke' && f.spent) {
      const s = f.spent;
      lines.push(
        `This run spent ${s.generations} generation (${s.modelCalls} model calls), ${s.enhancements} prompt enhancement and ${s.logReports} error report of its client's rate-limit budgets.`,
        '',
      );
    }
    lines.push(...factsTable(facts));
    lines.push(...checksTable(f.checks.filter((c) => c.section === section)));
    for (const part of parts.filter((p) => f.skipped[p])) lines.push(`Not checked: ${PART_NAMES[part]} (${f.skipped[part]}).`, '');
  }

  lines.push('## Issues found', '');
  const issues = f.checks.filter((c) => c.status !== 'pass');
  if (issues.length === 0) lines.push('No check failed or warned.', '');
  for (const c of issues) lines.push(`- ${MARK[c.status]} ${c.name}: ${c.detail}`);
  for (const [part, why] of Object.entries(f.skipped)) lines.push(`- not checked: ${PART_NAMES[part as Part]} (${why})`);
  lines.push('');

  const checked = (Object.keys(PART_NAMES) as Part[]).filter((p) => !f.skipped[p]).map((p) => PART_NAMES[p]);
  lines.push('## Sign-off', '');
  lines.push(
    result === 'PASS' ? '- Verdict: **PASS**, the release may take traffic.' : `- Verdict: **FAIL**, do not promote: ${f.failed.map((c) => c.name).join(', ')}.`,
    `- Checks: ${counts(f)}; parts checked: ${checked.join(', ')}.`,
    `- Verified by release-check on ${v.host}, ${v.finishedAt.toISOString()}.`,
    '',
  );
  return lines.join('\n');
}

/** The same findings for pipelines. */
export function toJson(v: Verification): object {
  const f = v.findings;
  return {
    verdict: verdict(f).toLowerCase(),
    release: v.release,
    namespace: v.namespace,
    url: v.url ?? null,
    prometheus: v.prometheus ?? null,
    startedAt: v.startedAt.toISOString(),
    finishedAt: v.finishedAt.toISOString(),
    host: v.host,
    spent: f.spent ?? null,
    skipped: f.skipped,
    facts: f.facts,
    checks: f.checks,
  };
}
