import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The production Ingress's one rule in front of the local stack: /api and everything under it to
 * the gateway unchanged (it serves its routes there), everything else to the web server.
 */
export async function startIngress(web: string, gateway: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const target = new URL(path === '/api' || path.startsWith('/api/') ? gateway : web);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path, headers: req.headers }, (answer) => {
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
