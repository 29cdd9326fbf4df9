import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { Findings, type Part, type Section, reason } from './findings';
import type { KubeConfig } from '@kubernetes/client-node';
import { checkKubernetes, contextMismatch, loadKubeConfig } from './kubernetes';
import { checkPrometheus, submittedJobs } from './prometheus';
import { toJson, toMarkdown, verdict } from './report';
import { SUBMIT_CHECK, checkSmoke } from './smoke';

export const USAGE = `Verifies a live Pixel Prompt release and writes the staging verification report.

  release-check context EXPECTED [--kubeconfig FILE]
      Exits 0 when the kubeconfig's current context is EXPECTED, 1 otherwise (run it before any change).

  release-check verify --release NAME --namespace NS [options]
      --expect-context CTX   refuse (exit 1, nothing checked) unless the current context is CTX
      --kubeconfig FILE      instead of $KUBECONFIG, ~/.kube/config or the pod's service account
      --no-kubernetes        skip the Kubernetes checks (no cluster access, e.g. the local stack)
      --url URL              public URL: smoke and functional tests through it (the API under /api);
                             spends 1 generation, 1 enhancement and 1 error report of the rate limits
      --job-timeout SECONDS  longest wait for the smoke test's job (default 600)
      --prometheus URL       Prometheus HTTP API: targets, alerts, error ratio, p95, queues
      --window MINUTES       Prometheus look-back window (default 15)
      --report FILE          also write the Markdown report to FILE
      --json                 print the findings as JSON instead of the Markdown report

Exit status: 0 healthy, 1 unhealthy (each failure named on stderr) or the wrong context, 2 bad usage.`;

class UsageError extends Error {}

function say(message: string): void {
  process.stderr.write(`release-check: ${message}\n`);
}

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
  return n;
}

function httpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(value)) throw new UsageError(`--${name} must be an http(s) URL`);
  return value.replace(/\/+$/, '');
}

/** Runs one part; an error it did not expect (an API refusing, a host not answering) is its failure, named. */
async function runPart(findings: Findings, part: Part, section: Section, body: () => Promise<void>): Promise<void> {
  say(`checking ${part}...`);
  try {
    await body();
  } catch (error) {
    findings.fail(section, `${part} checks`, reason(error));
  }
}

function readKubeConfig(path: string | undefined): KubeConfig | undefined {
  try {
    return loadKubeConfig(path);
  } catch (error) {
    say(`cannot read the kubeconfig: ${reason(error)}`);
    return undefined;
  }
}

async function context(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { kubeconfig: { type: 'string' } }, allowPositionals: true });
  const [expected] = positionals;
  if (!expected || positionals.length > 1) throw new UsageError('context takes exactly one context name');
  const kc = readKubeConfig(values.kubeconfig);
  if (!kc) return 1;
  const mismatch = contextMismatch(kc, expected);
  if (mismatch) {
    say(`refusing: ${mismatch}`);
    return 1;
  }
  say(`kube context is ${expected}`);
  return 0;
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      release: { type: 'string' },
      namespace: { type: 'string' },
      'expect-context': { type: 'string' },
      kubeconfig: { type: 'string' },
      'no-kubernetes': { type: 'boolean', default: false },
      url: { type: 'string' },
      'job-timeout': { type: 'string' },
      prometheus: { type: 'string' },
      window: { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const { release, namespace } = values;
  if (!release || !namespace) throw new UsageError('--release and --namespace are required');
  const kubernetes = !values['no-kubernetes'];
  if (!kubernetes && values['expect-context']) throw new UsageError('--expect-context needs the Kubernetes checks');
  const url = httpUrl(values.url, 'url');
  const prometheus = httpUrl(values.prometheus, 'prometheus');
  if (!kubernetes && !url && !prometheus) throw new UsageError('nothing to check: give --url or --prometheus, or leave out --no-kubernetes');
  const jobTimeoutMs = positiveNumber(values['job-timeout'], 'job-timeout', 600) * 1000;
  const windowMinutes = positiveNumber(values.window, 'window', 15);

  const findings = new Findings();
  const startedAt = new Date();
  if (kubernetes) {
    const kc = readKubeConfig(values.kubeconfig);
    if (!kc) return 1;
    const mismatch = values['expect-context'] && contextMismatch(kc, values['expect-context']);
    if (mismatch) {
      say(`refusing: ${mismatch}`);
      return 1;
    }
    await runPart(findings, 'kubernetes', 'deployment', () => checkKubernetes(kc, release, namespace, findings));
  } else findings.skipped.kubernetes = '--no-kubernetes';

  const target = prometheus ? { url: prometheus, release, namespace, windowMinutes } : undefined;
  let smokeBaseline: number | undefined;
  if (url) {
    say('the smoke test spends 1 generation (a call per enabled model), 1 enhancement and 1 error report of this client\'s rate limits');
    if (target) smokeBaseline = await submittedJobs(target).catch(() => undefined);
    await runPart(findings, 'smoke', 'smoke', () => checkSmoke({ url, jobTimeoutMs }, findings));
  } else findings.skipped.smoke = 'no --url';

  // Only a job the smoke test did submit can be waited for.
  if (!findings.checks.some((c) => c.name === SUBMIT_CHECK && c.status === 'pass')) smokeBaseline = undefined;
  if (target) await runPart(findings, 'prometheus', 'performance', () => checkPrometheus(target, findings, smokeBaseline));
  else findings.skipped.prometheus = 'no --prometheus';

  const verification = { release, namespace, url, prometheus, startedAt, finishedAt: new Date(), host: hostname(), findings };
  const markdown = toMarkdown(verification);
  if (values.report) writeFileSync(values.report, markdown);
  process.stdout.write(values.json ? `${JSON.stringify(toJson(verification), null, 2)}\n` : markdown);

  const failed = findings.failed;
  say(`${verdict(findings)}: ${failed.length} of ${findings.checks.length} checks failed${values.report ? `; report in ${values.report}` : ''}`);
  for (const check of failed) say(`  ${check.name}: ${check.detail}`);
  return failed.length === 0 ? 0 : 1;
}

/** The command line; resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === 'context') return await context(args);
    if (command === 'verify') return await verify(args);
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) throw error;
    say(error.message);
    process.stderr.write(`\n${USAGE}\n`);
    return 2;
  }
}
