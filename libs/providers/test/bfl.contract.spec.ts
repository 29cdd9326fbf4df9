import type { ModelConfig } from '@pixel-prompt/models';
import { BflImageProvider, ProviderCredentials } from '../src';
import { FakeProviderServer, type RecordedRequest, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { PNG, failure, modelOf } from './provider-fixtures';

const KEY = 'bfl-key-0c6f0e4b9a3d4e2f8a1b7c5d9e0f1a2b';

const model = (providerModel: string, options: Record<string, unknown>) => modelOf('bfl', providerModel, options);
const request = (m: ModelConfig) => ({ prompt: 'a red bicycle', steps: 80, guidance: 20, seed: 7, model: m });

describe('Black Forest Labs contract', () => {
  let server: FakeProviderServer;
  const bfl = new BflImageProvider(new ProviderCredentials({ bfl: KEY }));
  let options: Record<string, unknown>;

  beforeAll(async () => (server = await FakeProviderServer.start()));
  beforeEach(() => (options = { baseUrl: server.url, pollIntervalMs: 1 }));
  afterAll(() => server.close());

  /** Submit, then the given poll answers in order (the last repeats), then the sample download. */
  function task(polls: { status: string; result?: unknown }[]) {
    let poll = 0;
    server.handle((req, res) => {
      if (req.method === 'POST') return json(res, 200, { id: 'task-1', polling_url: `${server.url}/v1/get_result?id=task-1` });
      if (req.path.startsWith('/v1/get_result')) {
        const answer = polls[Math.min(poll++, polls.length - 1)];
        return json(res, 200, { id: 'task-1', ...answer });
      }
      if (req.path.startsWith('/delivery/')) return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      res.writeHead(404).end();
    });
  }
  const ready = () => ({ status: 'Ready', result: { sample: `${server.url}/delivery/sample.png?se=2026&sig=s3cr3t`, prompt: 'a red bicycle', seed: 7 } });
  const paths = (requests: RecordedRequest[]) => requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);

  it('submits, polls until Ready and downloads the sample, sending the key to BFL only', async () => {
    task([{ status: 'Pending' }, { status: 'Pending' }, ready()]);
    const result = await bfl.generate(request(model('flux-pro-1.1', { ...options, width: 1024, height: 768 })), quiet());

    expect(paths(server.requests)).toEqual(['POST /v1/flux-pro-1.1', 'GET /v1/get_result', 'GET /v1/get_result', 'GET /v1/get_result', 'GET /delivery/sample.png']);
    const [submit, ...rest] = server.requests;
    expect(submit?.headers['x-key']).toBe(KEY);
    expect(jsonBody(submit)).toEqual({ prompt: 'a red bicycle', seed: 7, output_format: 'png', width: 1024, height: 768 });
    expect(rest.slice(0, 3).every((r) => r.headers['x-key'] === KEY)).toBe(true);
    // The signed delivery link gets no key.
    expect(rest[3]?.headers['x-key']).toBeUndefined();
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
    expect(Buffer.compare(result.image, PNG)).toBe(0);
  });

  it('maps steps and guidance onto FLUX.1 [dev] ranges', async () => {
    task([ready()]);
    await bfl.generate(request(model('flux-dev', options)), quiet());
    expect(jsonBody(server.requests[0])).toEqual({ prompt: 'a red bicycle', seed: 7, output_format: 'png', width: 1024, height: 1024, steps: 50, guidance: 5 });
  });

  it('sends an aspect ratio to ultra instead of a size', async () => {
    task([ready()]);
    await bfl.generate(request(model('flux-pro-1.1-ultra', { ...options, aspectRatio: '16:9', safetyTolerance: 2 })), quiet());
    expect(jsonBody(server.requests[0])).toEqual({ prompt: 'a red bicycle', seed: 7, output_format: 'png', aspect_ratio: '16:9', safety_tolerance: 2 });
  });

  it('makes a requested aspect ratio: as width and height in multiples of 32 within 1440, or as given to ultra', async () => {
    task([ready()]);
    await bfl.generate({ ...request(model('flux-pro-1.1', options)), aspectRatio: '9:16' }, quiet());
    expect(jsonBody(server.requests[0])).toMatchObject({ width: 768, height: 1344 });
    task([ready()]);
    await bfl.generate({ ...request(model('flux-pro-1.1-ultra', { ...options, aspectRatio: '1:1' })), aspectRatio: '4:3' }, quiet());
    expect(jsonBody(server.requests[0])).toMatchObject({ aspect_ratio: '4:3' });
  });

  it.each([
    ['Request Moderated', 'CONTENT_REJECTED', false],
    ['Content Moderated', 'CONTENT_REJECTED', false],
    ['Error', 'PROVIDER_ERROR', true],
    ['Task not found', 'PROVIDER_ERROR', true],
  ] as const)('maps a task ending %s to %s (retryable: %s)', async (status, code, retryable) => {
    task([{ status: 'Pending' }, { status, result: null }]);
    expect(await failure(bfl.generate(request(model('flux-pro-1.1', options)), quiet()))).toMatchObject({ code, retryable });
    expect(server.requests.some((r) => r.path.startsWith('/delivery/'))).toBe(false);
  });

  it.each([
    [401, 'AUTH', false],
    [403, 'AUTH', false],
    [402, 'QUOTA', false],
    [429, 'RATE_LIMITED', true],
    [422, 'PROVIDER_ERROR', false],
    [500, 'PROVIDER_ERROR', true],
    [503, 'PROVIDER_ERROR', true],
  ] as const)('maps a submission answered %i to %s (retryable: %s)', async (status, code, retryable) => {
    server.handle((_req, res) => json(res, status, { detail: `Problem for key ${KEY}` }, { 'retry-after': '5' }));
    const error = await failure(bfl.generate(request(model('flux-pro-1.1', options)), quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(KEY);
  });

  it('captures Retry-After when rate limited', async () => {
    server.handle((_req, res) => json(res, 429, { detail: 'Too many active tasks' }, { 'retry-after': '5' }));
    expect(await failure(bfl.generate(request(model('flux-pro-1.1', options)), quiet()))).toMatchObject({ retryAfterSeconds: 5 });
  });

  it('refuses to send the key to a polling URL off the BFL service', async () => {
    server.handle((_req, res) => json(res, 200, { id: 't', polling_url: 'https://attacker.example/v1/get_result?id=t' }));
    expect(await failure(bfl.generate(request(model('flux-pro-1.1', options)), quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops polling when the signal aborts', async () => {
    const controller = new AbortController();
    let polls = 0;
    server.handle((req, res) => {
      if (req.method === 'POST') return json(res, 200, { id: 't', polling_url: `${server.url}/v1/get_result?id=t` });
      polls += 1;
      if (polls === 3) controller.abort(new Error('model timeout'));
      json(res, 200, { id: 't', status: 'Pending' });
    });
    await expect(bfl.generate(request(model('flux-pro-1.1', options)), controller.signal)).rejects.toThrow('model timeout');
    expect(polls).toBe(3);
  });

  it('aborts a hanging submission', async () => {
    await expectAbortDropsConnection(server, (signal) => bfl.generate(request(model('flux-pro-1.1', options)), signal));
  });

  it('is unavailable without BFL_API_KEY', async () => {
    const error = await failure(new BflImageProvider(new ProviderCredentials()).generate(request(model('flux-dev', options)), quiet()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect(error.message).toContain('BFL_API_KEY');
  });

  it('declares steps and guidance only for the models that take them', () => {
    expect(bfl.capabilities(model('flux-dev', {}))).toEqual({ size: true, seed: true, steps: true, guidance: true, negativePrompt: false });
    expect(bfl.capabilities(model('flux-pro-1.1', {}))).toEqual({ size: true, seed: true, steps: false, guidance: false, negativePrompt: false });
  });
});
