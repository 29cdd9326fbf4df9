import { randomUUID } from 'node:crypto';
import {
  CORRELATION_ID_HEADER,
  type EnhanceResponse,
  type GalleryDetailResponse,
  type GalleryListResponse,
  type GenerateAccepted,
  type JobStatusResponse,
  type ModelsResponse,
  isTerminalJobState,
} from '@pixel-prompt/contracts';
import { type Findings, reason } from './findings';

/** What libs/storage writes on every image object, so S3, the gallery and CloudFront all serve it. */
export const IMAGE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** The Ingress sends this prefix to the gateway and everything else to the web app. */
export const API_PREFIX = '/api';
const REQUEST_TIMEOUT_MS = 30_000;
/** The check that submits the smoke test's generation: the Prometheus part waits for that job. */
export const SUBMIT_CHECK = 'Submit a generation';
const ERROR_BODY_KEYS = new Set(['error', 'message', 'correlationId', 'details']);

export interface SmokeOptions {
  /** The public URL (the Ingress): the web app at /, the API under /api. */
  url: string;
  /** Longest wait for the smoke job to end (staging models may take minutes). */
  jobTimeoutMs: number;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
  correlationId: string;
}

/**
 * The seeds' smoke sequence through the public URL, as a browser would go: the web app, the API's
 * 404 and OpenAPI document, one generation followed live to its end with every image fetched, the
 * gallery, one enhancement and one error report. It spends exactly one generation (one call per
 * enabled model), one enhancement and one error report of this client's rate-limit budgets.
 */
export async function checkSmoke(options: SmokeOptions, findings: Findings): Promise<void> {
  const site = new URL(options.url);
  const run = randomUUID().slice(0, 8);
  const answers: Answer[] = [];
  let sequence = 0;

  async function call(target: string, init: RequestInit = {}, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
    const correlationId = `release-check-${run}-${++sequence}`;
    const url = new URL(target, site);
    const started = performance.now();
    const res = await fetch(url, {
      ...init,
      headers: { [CORRELATION_ID_HEADER]: correlationId, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const answer = { status: res.status, headers: res.headers, text: await res.text(), ms: performance.now() - started, correlationId };
    if (url.pathname.startsWith(`${API_PREFIX}/`) && url.host === site.host) answers.push(answer);
    return answer;
  }
  const api = (path: string) => `${API_PREFIX}${path}`;
  const timing = (name: string, answer: Answer) => findings.fact('performance', name, `${Math.round(answer.ms)} ms (HTTP ${answer.status})`);

  await step(findings, 'smoke', 'Web app', async () => {
    const page = await call('/');
    const config = await call('/config.json');
    timing('GET / (web app)', page);
    const problems = [];
    if (page.status !== 200 || !page.headers.get('content-type')?.includes('text/html')) problems.push(`GET / answered ${page.status} ${page.headers.get('content-type')}`);
    const apiBaseUrl = config.status === 200 ? (JSON.parse(config.text) as { apiBaseUrl?: string }).apiBaseUrl : undefined;
    if (apiBaseUrl === undefined) problems.push(`GET /config.json answered ${config.status} without apiBaseUrl`);
    return finish(problems, `index.html served; config.json points the browser at the API on "${apiBaseUrl}"`);
  });

  await step(findings, 'smoke', 'Unknown API route', async () => {
    const answer = await call(api('/release-check-no-such-route'));
    const body = parseJson(answer.text);
    const problems = [];
    if (answer.status !== 404) problems.push(`answered ${answer.status}, not 404`);
    if (body?.['error'] !== 'NOT_FOUND') problems.push(`body is not the JSON error NOT_FOUND: ${answer.text.slice(0, 200)}`);
    if (body?.['correlationId'] !== answer.correlationId) problems.push('the JSON error does not carry the request\'s correlation id');
    return finish(problems, 'JSON 404 {error: NOT_FOUND, message, correlationId} with the request\'s correlation id');
  });

  await step(findings, 'smoke', 'OpenAPI document', async () => {
    const answer = await call(api('/docs-json'));
    const document = parseJson(answer.text) as { openapi?: string; info?: { version?: string }; paths?: Record<string, unknown> } | undefined;
    const paths = Object.keys(document?.paths ?? {});
    if (answer.status !== 200 || !document?.openapi) return `GET ${api('/docs-json')} answered ${answer.status} without an OpenAPI document`;
    if (!paths.some((p) => p.endsWith('/generate'))) return `the OpenAPI document lists no /generate path (${paths.join(', ')})`;
    findings.fact('deployment', 'API version (OpenAPI)', document.info?.version ?? '?');
    return { pass: `OpenAPI ${document.openapi}, ${paths.length} paths` };
  });

  const models = await step(findings, 'smoke', 'Models', async () => {
    const answer = await call(api('/models'));
    const list = answer.status === 200 ? (JSON.parse(answer.text) as ModelsResponse).models : [];
    timing('GET /api/models', answer);
    if (list.length === 0) return `GET ${api('/models')} answered ${answer.status} with no enabled model`;
    return { pass: `${list.length} enabled: ${list.map((m) => m.id).join(', ')}`, value: list };
  });
  if (!models) return;

  findings.spent = { generations: 1, modelCalls: models.length, enhancements: 1, logReports: 1 };
  const limited: Answer[] = [];
  const accepted = await step(findings, 'functional', SUBMIT_CHECK, async () => {
    const answer = await call(api('/generate'), {
      method: 'POST',
      body: JSON.stringify({ prompt: `release check ${run}: a lighthouse on a cliff at dusk`, seed: 20261124 }),
    });
    timing('POST /api/generate', answer);
    limited.push(answer);
    if (answer.status !== 202) return `POST ${api('/generate')} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
    const body = JSON.parse(answer.text) as GenerateAccepted;
    return { pass: `202, job ${body.jobId} for ${body.totalModels} models`, value: body };
  });

  if (accepted) {
    const started = performance.now();
    const deadline = Date.now() + options.jobTimeoutMs;
    const streamed = await step(findings, 'functional', 'Live events', async () => {
      const events = await followEvents(new URL(api(`/jobs/${accepted.jobId}/events`), site), options.jobTimeoutMs);
      if (!events.includes('completed')) return { warn: `the stream ended after ${events.length} events without "completed"; following by polling instead`, value: false };
      const models = events.filter((e) => e.startsWith('model_')).length;
      return { pass: `${events.length} events (${models} model events, then completed)`, value: true };
    });
    const job = await step(findings, 'functional', 'Job result', async () => {
      for (;;) {
        const answer = await call(api(`/status/${accepted.jobId}`));
        if (answer.status !== 200) return `GET ${api('/status/:jobId')} answered ${answer.status}`;
        const status = JSON.parse(answer.text) as JobStatusResponse;
        if (isTerminalJobState(status.status)) {
          findings.fact('performance', 'Generation, submit to the end of the job', `${((performance.now() - started) / 1000).toFixed(1)} s (${streamed ? 'followed live' : 'polled'})`);
          const durations = status.results.flatMap((r) => (r.duration === undefined ? [] : [r.duration])).sort((a, b) => a - b);
          if (durations.length) findings.fact('performance', 'Model call durations', `min ${durations[0]?.toFixed(1)} s, median ${durations[Math.floor(durations.length / 2)]?.toFixed(1)} s, max ${durations.at(-1)?.toFixed(1)} s`);
          const failed = status.results.filter((r) => r.status !== 'completed').map((r) => `${r.model} ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`);
          if (failed.length) return `job ${status.status}: ${failed.join('; ')}`;
          return { pass: `completed: ${status.endedModels}/${status.totalModels} models`, value: status };
        }
        if (Date.now() > deadline) return `job still ${status.status} after ${options.jobTimeoutMs / 1000} s`;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
    if (job) {
      await step(findings, 'functional', 'Images', async () => {
        const links = job.results.flatMap((r) => [r.imageUrl, r.thumbnailUrl]).filter((u): u is string => !!u);
        const problems: string[] = [];
        let slowest = 0;
        for (const link of links) {
          const answer = await call(link.startsWith('/') ? api(link) : link);
          slowest = Math.max(slowest, answer.ms);
          const cacheControl = answer.headers.get('cache-control');
          if (answer.status !== 200 || !answer.headers.get('content-type')?.startsWith('image/')) problems.push(`${link}: ${answer.status} ${answer.headers.get('content-type')}`);
          else if (cacheControl !== IMAGE_CACHE_CONTROL) problems.push(`${link}: Cache-Control "${cacheControl}", expected "${IMAGE_CACHE_CONTROL}"`);
        }
        findings.fact('performance', 'Slowest image fetch', `${Math.round(slowest)} ms of ${links.length}`);
        return finish(problems, `${links.length} images and thumbnails fetched, each ${IMAGE_CACHE_CONTROL}`);
      });
      await step(findings, 'functional', 'Gallery', async () => {
        // The gallery is written when the job is finalised, moments after its last result.
        const deadline = Date.now() + 60_000;
        let listed: GalleryListResponse | undefined;
        while (!listed?.galleries.some((g) => g.id === accepted.jobId)) {
          if (Date.now() > deadline) return `job ${accepted.jobId} did not appear in ${api('/gallery/list')} within 60 s`;
          const answer = await call(api('/gallery/list?limit=24'));
          if (answer.status !== 200) return `GET ${api('/gallery/list')} answered ${answer.status}`;
          timing('GET /api/gallery/list', answer);
          listed = JSON.parse(answer.text) as GalleryListResponse;
          if (!listed.galleries.some((g) => g.id === accepted.jobId)) await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        const answer = await call(api(`/gallery/${accepted.jobId}`));
        timing('GET /api/gallery/:id', answer);
        if (answer.status !== 200) return `GET ${api('/gallery/:id')} answered ${answer.status}`;
        const detail = JSON.parse(answer.text) as GalleryDetailResponse;
        if (detail.images.length !== job.endedModels) return `the gallery holds ${detail.images.length} images, the job completed ${job.endedModels}`;
        return { pass: `listed, and its detail holds all ${detail.images.length} images` };
      });
    }
  }

  await step(findings, 'functional', 'Enhance', async () => {
    const answer = await call(api('/enhance'), { method: 'POST', body: JSON.stringify({ prompt: 'a lighthouse on a cliff' }) });
    timing('POST /api/enhance', answer);
    limited.push(answer);
    const body = answer.status === 200 ? (JSON.parse(answer.text) as EnhanceResponse) : undefined;
    if (!body?.enhanced) return `POST ${api('/enhance')} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
    return { pass: `200, ${body.enhanced.length} characters` };
  });

  await step(findings, 'functional', 'Error report', async () => {
    const answer = await call(api('/log'), { method: 'POST', body: JSON.stringify({ level: 'info', message: `release check ${run}: smoke test report` }) });
    limited.push(answer);
    if (answer.status !== 204) return `POST ${api('/log')} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
    return { pass: `204, logged under correlation id ${answer.correlationId}` };
  });

  const unechoed = answers.filter((a) => a.headers.get(CORRELATION_ID_HEADER) !== a.correlationId);
  findings.passUnless(
    'functional',
    'Correlation ids',
    unechoed.map((a) => `${a.correlationId} answered with "${a.headers.get(CORRELATION_ID_HEADER)}"`),
    `all ${answers.length} API responses echo the request's X-Correlation-ID`,
  );
  const unlimited = limited.filter((a) => !a.headers.get('ratelimit') || !a.headers.get('ratelimit-policy'));
  findings.passUnless(
    'functional',
    'Rate-limit headers',
    unlimited.map((a) => `${a.correlationId} (HTTP ${a.status}) has no RateLimit/RateLimit-Policy headers: is this machine in RATE_LIMIT_ALLOWLIST?`),
    `RateLimit and RateLimit-Policy on every limited route (${limited.map((a) => a.headers.get('ratelimit')).join(', ')})`,
  );
  await checkSecurity(site, answers, call, findings);
}

type Outcome<T> = string | { pass: string; value?: T } | { warn: string; value?: T };

/** Runs one step: a string is its failure; a thrown error (timeout, refused connection) fails it too. */
async function step<T>(findings: Findings, section: 'smoke' | 'functional', name: string, body: () => Promise<Outcome<T>>): Promise<T | undefined> {
  try {
    const outcome = await body();
    if (typeof outcome === 'string') {
      findings.fail(section, name, outcome);
      return undefined;
    }
    if ('warn' in outcome) findings.warn(section, name, outcome.warn);
    else findings.pass(section, name, outcome.pass);
    return outcome.value ?? (true as T);
  } catch (error) {
    findings.fail(section, name, reason(error));
    return undefined;
  }
}

function finish(problems: string[], pass: string): Outcome<true> {
  return problems.length ? problems.join('; ') : { pass };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Reads a job's Server-Sent Events until `completed` or the end of the stream; returns the event types. */
async function followEvents(url: URL, timeoutMs: number): Promise<string[]> {
  const response = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  const types: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const type = /^event: (.+)$/m.exec(buffer.slice(0, boundary))?.[1];
      buffer = buffer.slice(boundary + 2);
      if (type) types.push(type);
      // Leaving the loop cancels the stream: the server sees the client go, as a browser closing it.
      if (type === 'completed') return types;
    }
  }
  return types;
}

/** What a client on the internet can see of the API's defences. */
async function checkSecurity(site: URL, answers: Answer[], call: (target: string, init?: RequestInit) => Promise<Answer>, findings: Findings): Promise<void> {
  if (site.protocol === 'https:') findings.pass('security', 'HTTPS', `the public URL is served over HTTPS`);
  else findings.warn('security', 'HTTPS', `${site.origin} is plain HTTP: browsers send prompts and receive images unencrypted`);

  const headerProblems = answers.flatMap((a) => {
    const problems = [];
    if (a.headers.get('x-content-type-options') !== 'nosniff') problems.push(`${a.correlationId}: no X-Content-Type-Options: nosniff`);
    if (!a.headers.get('content-security-policy')) problems.push(`${a.correlationId}: no Content-Security-Policy`);
    if (a.headers.get('x-powered-by')) problems.push(`${a.correlationId}: X-Powered-By reveals ${a.headers.get('x-powered-by')}`);
    return problems;
  });
  findings.passUnless('security', 'Security headers', headerProblems, `nosniff and a Content-Security-Policy on all ${answers.length} API responses, no X-Powered-By`);

  const errorBodies = answers.filter((a) => a.status >= 400).map((a) => ({ a, body: parseJson(a.text) }));
  const leaky = errorBodies.filter(({ body }) => !body || Object.keys(body).some((k) => !ERROR_BODY_KEYS.has(k)));
  findings.passUnless(
    'security',
    'Error bodies',
    leaky.map(({ a }) => `${a.correlationId}: ${a.text.slice(0, 200)}`),
    `${errorBodies.length} error answers, each only {error, message, correlationId}: no stack, no internals`,
  );

  const foreign = 'https://release-check.invalid';
  const cors = await call(`${API_PREFIX}/models`, { headers: { Origin: foreign } });
  const allowed = cors.headers.get('access-control-allow-origin');
  if (allowed === '*' || allowed === foreign) findings.fail('security', 'CORS', `a page on ${foreign} may read the API (Access-Control-Allow-Origin: ${allowed})`);
  else findings.pass('security', 'CORS', `a foreign origin gets no Access-Control-Allow-Origin${allowed ? ` (only ${allowed})` : ''}`);
}
