import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ErrorBody } from '@pixel-prompt/contracts';
import { correlationIdFrom, runWithCorrelationId } from '@pixel-prompt/observability';
import { freePort, waitFor } from '@pixel-prompt/testing';
import { apiPrefix } from './api-prefix';
import { galleryProxy } from './gallery-proxy';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The gateway's side: the request run inside its correlation id (as httpObservability does), the /api prefix taken off, then the proxy. */
async function gatewayWith(target: string, timeoutMs: number, logger = { warn: jest.fn() }) {
  const app = express();
  app.use((req, res, next) => {
    const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
    res.setHeader('X-Correlation-ID', correlationId);
    runWithCorrelationId(correlationId, next);
  });
  app.use(apiPrefix);
  app.use(['/gallery', '/images'], galleryProxy({ target, timeoutMs, logger }));
  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND' });
  });
  const server = createServer(app);
  return { server, url: await listen(server), logger };
}

describe('galleryProxy', () => {
  let upstream: Server;
  let gateway: Server;
  let gatewayUrl: string;
  let received: Received[];
  let handle: Handler;
  const warn = jest.fn();

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      handle(req, res);
    });
    const started = await gatewayWith(await listen(upstream), 500, { warn });
    gateway = started.server;
    gatewayUrl = started.url;
  });

  beforeEach(() => {
    received = [];
    warn.mockClear();
  });

  afterAll(async () => {
    await close(gateway);
    await close(upstream);
  });

  it('forwards GET with its path and query, and returns status, headers and body', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"v1"', 'Cache-Control': 'public, max-age=10', 'X-Gallery': 'yes' });
      res.end('{"galleries":[],"nextCursor":null}');
    };
    const res = await fetch(`${gatewayUrl}/gallery/list?limit=5&cursor=abc`, { headers: { 'X-Correlation-ID': 'proxy-1' } });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ galleries: [], nextCursor: null });
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(res.headers.get('cache-control')).toBe('public, max-age=10');
    expect(res.headers.get('x-gallery')).toBe('yes');
    expect(res.headers.get('x-correlation-id')).toBe('proxy-1');
    expect(received).toEqual([expect.objectContaining({ method: 'GET', url: '/gallery/list?limit=5&cursor=abc' })]);
    expect(received[0]?.headers['x-correlation-id']).toBe('proxy-1');
  });

  it('forwards a request made under /api without the prefix, which the gallery does not know', async () => {
    handle = (_req, res) => res.end('{}');
    expect((await fetch(`${gatewayUrl}/api/gallery/list?limit=5`)).status).toBe(200);
    expect((await fetch(`${gatewayUrl}/api/images/a/0-x.png`)).status).toBe(200);
    expect(received.map((r) => r.url)).toEqual(['/gallery/list?limit=5', '/images/a/0-x.png']);
  });

  it('forwards the caching and range headers and the correlation id, and nothing else of the client', async () => {
    handle = (_req, res) => res.end();
    await fetch(`${gatewayUrl}/images/a/0-x.png`, {
      headers: {
        Range: 'bytes=0-9',
        'If-None-Match': '"v1"',
        'If-Range': '"v1"',
        Accept: 'image/webp',
        Cookie: 'session=secret',
        Authorization: 'Bearer secret',
        'X-Other': 'x',
      },
    });

    const headers = received[0]?.headers ?? {};
    expect(headers).toMatchObject({ range: 'bytes=0-9', 'if-none-match': '"v1"', 'if-range': '"v1"', accept: 'image/webp' });
    expect(headers['x-correlation-id']).toEqual(expect.any(String));
    expect(headers).not.toHaveProperty('cookie');
    expect(headers).not.toHaveProperty('authorization');
    expect(headers).not.toHaveProperty('x-other');
  });

  it('forwards the id the gateway generated when the client sent none', async () => {
    handle = (_req, res) => res.end();
    const res = await fetch(`${gatewayUrl}/gallery/list`);
    expect(received[0]?.headers['x-correlation-id']).toBe(res.headers.get('x-correlation-id'));
  });

  it('passes partial content, not-modified and the gallery’s own errors through unchanged', async () => {
    handle = (req, res) => {
      if (req.headers.range) {
        res.writeHead(206, { 'Content-Range': 'bytes 2-5/10', 'Content-Length': '4', 'Content-Type': 'image/png' });
        res.end('2345');
      } else if (req.headers['if-none-match']) {
        res.writeHead(304, { ETag: '"v1"' });
        res.end();
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"error":"IMAGE_NOT_FOUND"}');
      }
    };

    const partial = await fetch(`${gatewayUrl}/images/x.png`, { headers: { Range: 'bytes=2-5' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');

    const notModified = await fetch(`${gatewayUrl}/images/x.png`, { headers: { 'If-None-Match': '"v1"' } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe('"v1"');

    const missing = await fetch(`${gatewayUrl}/images/x.png`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'IMAGE_NOT_FOUND' });
  });

  it('forwards HEAD', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '1234', 'Content-Type': 'image/png' });
      res.end();
    };
    const res = await fetch(`${gatewayUrl}/images/x.png`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1234');
    expect(received[0]?.method).toBe('HEAD');
  });

  it('answers other methods 405 itself', async () => {
    const res = await fetch(`${gatewayUrl}/gallery/list`, { method: 'POST', headers: { 'X-Correlation-ID': 'proxy-405' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toMatchObject({ error: 'BAD_REQUEST', correlationId: 'proxy-405' });
    expect(received).toEqual([]);
  });

  it('streams the body as it arrives', async () => {
    let finish: () => void = () => undefined;
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write('first chunk;');
      finish = () => res.end('rest');
    };
    const res = await fetch(`${gatewayUrl}/images/big.png`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    // The first chunk arrives while the gallery is still holding back the rest of the body.
    expect(decoder.decode((await reader.read()).value)).toBe('first chunk;');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    expect(rest).toBe('rest');
  });

  it('stops reading from the gallery when the client leaves', async () => {
    let upstreamClosed = false;
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
      res.on('close', () => {
        upstreamClosed = true;
      });
    };
    const { hostname, port } = new URL(gatewayUrl);
    await new Promise<void>((resolve) => {
      const req = request({ host: hostname, port, path: '/images/slow.png' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    await waitFor(() => upstreamClosed, { what: 'the gallery connection to close' });
  });

  it('repeats a request once when the gallery closed the kept-alive connection it went out on', async () => {
    handle = (_req, res) => res.end('warm');
    expect(await (await fetch(`${gatewayUrl}/gallery/list`)).text()).toBe('warm');
    let resets = 0;
    handle = (req, res) => {
      if (resets++ === 0) req.socket.destroy();
      else res.end('second try');
    };
    const res = await fetch(`${gatewayUrl}/gallery/list`);
    expect(await res.text()).toBe('second try');
    expect(resets).toBe(2);
  });

  it('answers 504 in the error contract when the gallery stays silent', async () => {
    const held: ServerResponse[] = [];
    handle = (_req, res) => held.push(res);
    const res = await fetch(`${gatewayUrl}/gallery/list`, { headers: { 'X-Correlation-ID': 'proxy-504' } });
    expect(res.status).toBe(504);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as ErrorBody;
    expect(body).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String), correlationId: 'proxy-504' });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ timedOut: true }), 'gallery request failed');
    for (const response of held) response.destroy();
  });

  it('cuts the connection when the gallery stalls in the middle of a body', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('only part');
    };
    const res = await fetch(`${gatewayUrl}/images/stalled.png`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('answers 502 in the error contract when the gallery answers with a server error, and passes its 503 on', async () => {
    handle = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end('{"error":"INTERNAL_ERROR","message":"stack trace of the gallery"}');
    };
    const failed = await fetch(`${gatewayUrl}/gallery/list`, { headers: { 'X-Correlation-ID': 'proxy-500' } });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('retry-after')).toBe('5');
    expect(await failed.json()).toEqual({ error: 'SERVICE_UNAVAILABLE', message: 'The gallery failed to answer. Try again shortly.', correlationId: 'proxy-500' });

    const outage = '{"error":"SERVICE_UNAVAILABLE","message":"S3 is down","correlationId":"proxy-503"}';
    handle = (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' });
      res.end(outage);
    };
    const passed = await fetch(`${gatewayUrl}/gallery/list`, { headers: { 'X-Correlation-ID': 'proxy-503' } });
    expect(passed.status).toBe(503);
    expect(passed.headers.get('retry-after')).toBe('5');
    expect(await passed.text()).toBe(outage);
  });

  it('answers 503 in the error contract when the gallery cannot be reached', async () => {
    const down = await gatewayWith(`http://127.0.0.1:${await freePort()}`, 500);
    try {
      const res = await fetch(`${down.url}/images/x.png`, { headers: { 'X-Correlation-ID': 'proxy-503' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'SERVICE_UNAVAILABLE', message: expect.any(String), correlationId: 'proxy-503' });
      expect(down.logger.warn).toHaveBeenCalledWith(expect.objectContaining({ timedOut: false }), 'gallery request failed');
    } finally {
      await close(down.server);
    }
  });

  it('leaves other paths to the gateway', async () => {
    const res = await fetch(`${gatewayUrl}/generate`);
    expect(res.status).toBe(404);
    expect(received).toEqual([]);
  });

  it('refuses a target it cannot reach over plain HTTP', () => {
    expect(() => galleryProxy({ target: 'https://gallery:3002', timeoutMs: 1000, logger: { warn: jest.fn() } })).toThrow('http://');
  });
});
