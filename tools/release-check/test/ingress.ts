import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one rule of the production Ingress the local stack's web server lacks: it forwards /api/*
 * to the gateway without the prefix, so the gateway's OpenAPI document (served at /api/docs-json on
 * the gateway itself) is out of its reach. This front sends /api/docs* to the gateway unchanged, as
 * the Ingress does, and everything else to the web server.
 */
export async function startIngress(web: string, gateway: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url?.startsWith('/api/docs') ? gateway : web);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
