import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Handler = (request: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

/**
 * A stand-in for a paid provider API on a free loopback port: each test installs the handler that
 * speaks the provider's wire format, and every request is recorded for assertions.
 */
export class FakeProviderServer {
  readonly requests: RecordedRequest[] = [];
  private handler: Handler = (_request, res) => res.writeHead(500).end();
  private readonly server: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(http2: boolean) {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(request);
        this.handler(request, res, req);
      });
    };
    // The HTTP/2 compatibility API mirrors node:http's request and response closely enough for fakes.
    this.server = http2
      ? createHttp2Server((req, res) => onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse))
      : createServer(onRequest);
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `http2`: cleartext HTTP/2 (prior knowledge), which the Bedrock runtime client speaks. */
  static async start({ http2 = false } = {}): Promise<FakeProviderServer> {
    const fake = new FakeProviderServer(http2);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  handle(handler: Handler): void {
    this.requests.length = 0;
    this.handler = handler;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Resolves when the fake has received a request and closes when the client drops it: proof of a real abort. */
export function hangingHandler(): { handler: Handler; received: Promise<void>; dropped: Promise<void> } {
  let onReceived!: () => void;
  let onDropped!: () => void;
  const received = new Promise<void>((resolve) => (onReceived = resolve));
  const dropped = new Promise<void>((resolve) => (onDropped = resolve));
  return {
    received,
    dropped,
    handler: (_request, res) => {
      // On a busy machine the client may have given up before this request was handled.
      if (res.closed) onDropped();
      else res.on('close', onDropped);
      onReceived();
    },
  };
}

/** Multipart form fields of a recorded request, parsed with the platform's own parser. */
export async function formFields(request: RecordedRequest | undefined): Promise<Record<string, string>> {
  if (!request) throw new Error('no request was recorded');
  const form = await new Response(new Uint8Array(request.body), { headers: { 'content-type': String(request.headers['content-type']) } }).formData();
  const fields: Record<string, string> = {};
  form.forEach((value, key) => {
    fields[key] = typeof value === 'string' ? value : '[file]';
  });
  return fields;
}

export const jsonBody = (request: RecordedRequest | undefined): Record<string, unknown> =>
  JSON.parse((request?.body ?? Buffer.from('{}')).toString('utf8')) as Record<string, unknown>;

/** A signal that never aborts. */
export const quiet = (): AbortSignal => new AbortController().signal;

/** The error of type `type` that `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  return error as E;
}

/**
 * Starts `call` against a server that never answers, aborts it once the request has arrived, and
 * checks that it rejects with the abort's reason and that the connection really closed: the
 * provider stops working (and billing) for us.
 */
export async function expectAbortDropsConnection(server: FakeProviderServer, call: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const hanging = hangingHandler();
  server.handle(hanging.handler);
  const controller = new AbortController();
  const pending = call(controller.signal);
  await hanging.received;
  controller.abort(new Error('timed out'));
  await expect(pending).rejects.toThrow('timed out');
  await hanging.dropped;
}
