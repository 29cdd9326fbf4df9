import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { type K8sObject, type Run, minimal, readSource, render, root, run } from './support';

const RULES_FILE = 'deploy/helm/pixel-prompt/files/alerts/pixel-prompt.rules.yaml';
const UNIT_TESTS = join(root, 'deploy/helm/test/alerts.test.yaml');
const DEFAULT_RUNBOOK = 'https://github.com/pixel-prompt/pixel-prompt/blob/main/docs/RUNBOOK.md';

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: AlertRule[];
}
interface UnitTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}

/** promtool from Debian's prometheus package, which tools/ci/test.sh installs. */
function promtool(...args: string[]): Run {
  const result = run('promtool', args);
  if (result.status === null) {
    throw new Error('promtool is not on PATH: install it (Debian: apt-get install prometheus; npm test does) to test the alerting rules');
  }
  return result;
}

const enabled = (extra: Record<string, unknown> = {}) => ({
  ...minimal,
  metrics: { prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' }, ...extra } },
});

function prometheusRule(objects: K8sObject[]): K8sObject {
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');
  expect(rules).toHaveLength(1);
  return rules[0] as K8sObject;
}

/** Writes the groups as a rule file next to a copy of the unit tests, as promtool expects them. */
function ruleFileOf(groups: RuleGroup[]): { dir: string; rules: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pp-alerts-'));
  const rules = join(dir, 'pixel-prompt.rules.yaml');
  writeFileSync(rules, stringify({ groups }, { lineWidth: 0 }));
  copyFileSync(UNIT_TESTS, join(dir, 'alerts.test.yaml'));
  return { dir, rules };
}

describe('alerting rules (PrometheusRule, checked and unit-tested with promtool)', () => {
  let rendered: K8sObject;
  let groups: RuleGroup[];
  let alerts: AlertRule[];

  beforeAll(() => {
    rendered = prometheusRule(render({ values: enabled() }));
    groups = rendered.spec.groups as RuleGroup[];
    alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);
  });

  // helm lint --strict and the Prometheus Operator's schema check the rendered PrometheusRule in
  // chart.spec.ts (staging and prod enable it, and so does the "everything on" case).
  it('are rendered only when metrics.prometheusRule.enabled is set', () => {
    expect(render({ values: minimal }).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(rendered).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { name: 'pp', labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/instance': 'pp' } },
    });
  });

  it('are the groups of the rule file, with every placeholder filled in for the release', () => {
    const source = readSource(RULES_FILE)
      .replaceAll('__RUNBOOK_URL__', DEFAULT_RUNBOOK)
      .replaceAll('__NAMESPACE__', 'pixel')
      .replaceAll('__FULLNAME__', 'pp');
    expect(groups).toEqual((parseYaml(source) as { groups: RuleGroup[] }).groups);
    expect(JSON.stringify(rendered.spec)).not.toMatch(/__[A-Z_]+__/);

    const other = prometheusRule(render({ release: 'art', values: enabled({ runbookBaseUrl: 'https://runbooks.example.com/pp.md/' }) }));
    const otherAlerts = (other.spec.groups as RuleGroup[]).flatMap((g) => g.rules);
    const restarts = otherAlerts.find((a) => a.alert === 'PixelPromptPodRestarting');
    expect(restarts?.expr).toContain('{namespace="pixel", pod=~"art-(gateway|generation|gallery|web|redis)-.+"}');
    expect(restarts?.annotations['runbook_url']).toBe('https://runbooks.example.com/pp.md#pixelpromptpodrestarting');
  });

  it('pass promtool check rules', () => {
    const check = promtool('check', 'rules', ruleFileOf(groups).rules);
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain(`SUCCESS: ${groups.flatMap((g) => g.rules).length} rules found`);
    expect(check.status).toBe(0);
  });

  it('cover what the service must be alerted on, each with a severity, a summary, a description and its runbook section', () => {
    expect([...new Set(alerts.map((a) => a.alert))].sort()).toEqual([
      'PixelPromptApiAvailabilityBudgetBurn',
      'PixelPromptApiLatencyBudgetBurn',
      'PixelPromptGenerationNotConsuming',
      'PixelPromptHighErrorRatio',
      'PixelPromptHpaAtMaxReplicas',
      'PixelPromptHpaMetricUnavailable',
      'PixelPromptJobFailureRatioHigh',
      'PixelPromptModelErrorRatioHigh',
      'PixelPromptModerationUnavailable',
      'PixelPromptOldestJobTooOld',
      'PixelPromptPodRestarting',
      'PixelPromptQueueBacklogGrowing',
      'PixelPromptRedisUnreachable',
      'PixelPromptS3Errors',
      'PixelPromptSubmitLatencyHigh',
      'PixelPromptTargetDown',
    ]);
    const runbook = readSource('docs/RUNBOOK.md');
    for (const { alert, labels, annotations } of alerts) {
      expect({ alert, severity: labels['severity'] }).toEqual({ alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      expect(Object.keys(annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(annotations['runbook_url']).toBe(`${DEFAULT_RUNBOOK}#${String(alert).toLowerCase()}`);
      // The heading GitHub turns into that anchor, and a section with PromQL and kubectl to diagnose.
      const section = runbook.split(/^## /m).find((s) => s.startsWith(`${alert}\n`));
      expect({ alert, section: section !== undefined }).toEqual({ alert, section: true });
      for (const part of ['**Meaning**', '**Impact**', '**Diagnose**', '**Mitigate**', '```promql', 'kubectl ']) {
        expect({ alert, part, present: section?.includes(part) }).toEqual({ alert, part, present: true });
      }
    }
  });

  it('have a promtool unit test for every alert: one where it fires and one where it stays silent', () => {
    const unitTests = parseYaml(readSource('deploy/helm/test/alerts.test.yaml')) as UnitTests;
    expect(unitTests.rule_files).toEqual(['pixel-prompt.rules.yaml']);
    const cases = unitTests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: own.some((c) => c.exp_alerts.length > 0), silent: own.some((c) => c.exp_alerts.length === 0) }).toEqual({
        alert,
        fires: true,
        silent: true,
      });
    }

    const { dir } = ruleFileOf(groups);
    const result = promtool('test', 'rules', join(dir, 'alerts.test.yaml'));
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('unit tests fail when an alert stops firing on its bad series', () => {
    const weakened = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.alert === 'PixelPromptHighErrorRatio' ? { ...r, expr: r.expr.replace('> 0.05', '> 0.5') } : r)),
    }));
    const { dir } = ruleFileOf(weakened);
    const result = promtool('test', 'rules', join(dir, 'alerts.test.yaml'));
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('alertname: PixelPromptHighErrorRatio');
  });
});
