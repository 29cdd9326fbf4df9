import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningService, TestRedis, TestS3, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { MIX, PROFILES, type Prepared, type ScenarioName, usersOf } from '../scenarios';
import { vu } from './k6/execution';
import { sent } from './k6/http';
import { checks, pauses } from './k6/k6';
import { recorded } from './k6/metrics';

type Script = typeof import('../pixel-prompt');

/** Two small built-in models: the scenarios' logic, not rendering, is under test. */
const REGISTRY = ['aurora', 'ink'].map((style) => `  - { id: ${style}, displayName: ${style}, provider: local, providerModel: ${style}, options: { width: 64, height: 64 } }`);

function importScript(env: Record<string, string>): Promise<Script> {
  globalThis.__ENV = env;
  return import('../pixel-prompt');
}

/**
 * The k6 script's request logic, each scenario run once against the services (built, as
 * processes, on real Redis and s3rver) through a thin adapter for the k6 modules it imports
 * (test/k6/). A script-logic test, not a load test: k6 itself does not run on these machines.
 */
describe('k6 script logic: each scenario once against the local services', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let gateway: RunningService;
  let script: Script;
  let prepared: Prepared;

  beforeAll(async () => {
    [redis, s3] = await Promise.all([TestRedis.start(), TestS3.start()]);
    const registry = join(mkdtempSync(join(tmpdir(), 'pp-load-')), 'models.yaml');
    writeFileSync(registry, `models:\n${REGISTRY.join('\n')}\n`);
    // The load source is allowlisted, as the runbook asks of the load generator.
    const env = { REDIS_URL: redis.url, ...s3.env(), MODEL_REGISTRY_PATH: registry, RATE_LIMIT_ALLOWLIST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const gallery = await startService('gallery', env);
    gateway = await startService('gateway', { ...env, GALLERY_URL: gallery.url });
    await startService('generation', env);
    // The gateway serves the API at its root: no /api prefix in front of it here.
    script = await importScript({ BASE_URL: gateway.url, API_PATH: '' });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await Promise.all([redis?.dispose(), s3?.dispose()]);
  });

  beforeEach(() => {
    for (const list of [sent, checks, pauses]) list.length = 0;
  });

  it('runs the seeds\' mix: 100 users ramped up over 2 minutes and held for 5, with the thresholds encoded', () => {
    const scenarios = script.options.scenarios ?? {};
    expect(Object.keys(scenarios)).toEqual(['generate', 'status', 'gallery', 'enhance']);
    expect(scenarios['generate']).toEqual({
      executor: 'ramping-vus',
      exec: 'generate',
      startVUs: 0,
      stages: [
        { duration: '120s', target: 50 },
        { duration: '300s', target: 50 },
      ],
      gracefulRampDown: '30s',
    });
    const targets = Object.values(scenarios).map((s) => ('stages' in s ? s.stages.map((stage) => stage.target) : []));
    expect(targets).toEqual([[50, 50], [30, 30], [10, 10], [10, 10]]);
    for (const name of Object.keys(scenarios)) expect(typeof script[name as ScenarioName]).toBe('function');
    expect(script.options.thresholds).toMatchObject({
      http_req_failed: ['rate<0.01'],
      http_req_duration: ['p(95)<5000'],
      checks: ['rate>0.99'],
      'http_req_duration{endpoint:generate}': [expect.stringMatching(/^p\(95\)<\d+$/)],
      'http_req_duration{endpoint:status}': [expect.stringMatching(/^p\(95\)<\d+$/)],
    });
  });

  it.each(Object.entries(PROFILES))('splits every stage of the %s profile exactly along the mix', (_profile, stages) => {
    for (const stage of stages) {
      expect((Object.keys(MIX) as ScenarioName[]).reduce((sum, scenario) => sum + usersOf(scenario, stage.target), 0)).toBe(stage.target);
    }
  });

  it('setup stops the test at once when the load source is rate-limited', async () => {
    const limited = await startService('gateway', { REDIS_URL: redis.url, LOG_LEVEL: 'warn' });
    await jest.isolateModulesAsync(async () => {
      const strict = await importScript({ BASE_URL: limited.url, API_PATH: '' });
      await expect(strict.setup()).rejects.toThrow(/^test aborted: the load source is rate-limited: add its address to the gateway's RATE_LIMIT_ALLOWLIST/);
    });
    await limited.process.stop();
  });

  it('setup proves the source is allowlisted and submits the jobs the status pollers watch', async () => {
    prepared = await script.setup();
    expect(prepared.jobIds).toHaveLength(5);
    expect(sent.map((r) => [r.tags['endpoint'], r.status])).toEqual([['log', 204], ...prepared.jobIds.map(() => ['generate', 202])]);
  });

  /** What each scenario must have asked for, in order, and the think times it took. */
  const expected: Record<ScenarioName, { endpoints: RegExp; pauses: RegExp }> = {
    generate: { endpoints: /^generate( status)+ image image$/, pauses: /^(1 )+5$/ },
    status: { endpoints: /^status$/, pauses: /^1$/ },
    gallery: { endpoints: /^gallery_list( image)+ gallery_detail image image image$/, pauses: /^2 3$/ },
    enhance: { endpoints: /^enhance$/, pauses: /^5$/ },
  };

  it.each(Object.keys(expected) as ScenarioName[])('%s: one iteration, every request answered and every check held', async (scenario) => {
    if (scenario === 'gallery') {
      // The watched jobs' galleries are written when they end.
      await waitFor(async () => ((await (await fetch(`${gateway.url}/gallery/list`)).json()) as { galleries: unknown[] }).galleries.length >= 1, { what: 'a gallery to browse' });
    }
    vu.idInTest = 7;
    vu.iterationInScenario = 2;
    await script[scenario](prepared);

    expect(sent.map((r) => r.tags['endpoint']).join(' ')).toMatch(expected[scenario].endpoints);
    expect(sent.filter((r) => r.status >= 400)).toEqual([]);
    expect(sent.every((r) => r.tags['name']?.startsWith('/'))).toBe(true);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.length).toBeGreaterThan(0);
    expect(pauses.join(' ')).toMatch(expected[scenario].pauses);
    if (scenario === 'generate') {
      expect(checks.map((c) => c.name)).toContain('job completed');
      expect(recorded['job_duration']).toHaveLength(1);
    }
  });
});
