// Serves the web app's production build and forwards /api/* to the gateway, as the Kubernetes
// Ingress does in production: one origin for the browser, no CORS needed.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Hashed file names never change content: cache them for a year. index.html and config.json: never. */
function cacheControl(file) {
  if (/[-.][A-Za-z0-9_]{8,}\.(js|css)$/.test(file)) return 'public, max-age=31536000, immutable';
  if (file.endsWith('index.html') || file.endsWith('config.json')) return 'no-cache';
  return 'public, max-age=3600';
}

function sendJsonError(res, status, error, message) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error, message, correlationId: '' }));
}

function proxy(req, res, apiTarget, apiPrefix) {
  const target = new URL(apiTarget);
  const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url.slice(apiPrefix.length) || '/',
      headers: { ...req.headers, host: target.host, 'x-forwarded-for': forwardedFor },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) sendJsonError(res, 502, 'SERVICE_UNAVAILABLE', 'The API is not reachable. Try again shortly.');
    else res.destroy();
  });
  req.pipe(upstream);
}

async function serveFile(req, res, root) {
  let path;
  try {
    path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  } catch {
    return sendJsonError(res, 400, 'BAD_REQUEST', 'The address is not valid.');
  }
  if (path !== root && !path.startsWith(root + sep)) return sendJsonError(res, 404, 'NOT_FOUND', 'Not found.');

  let file = path;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // Client-side routes (/gallery) get the app; missing files with an extension get a 404.
    if (extname(path)) return sendJsonError(res, 404, 'NOT_FOUND', 'Not found.');
    file = join(root, 'index.html');
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': cacheControl(file),
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/** Starts the server; resolves once it listens. */
export function startWebServer({ root, host, port, apiTarget, apiPrefix = '/api' }) {
  const server = createServer((req, res) => {
    if (req.url === apiPrefix || req.url.startsWith(`${apiPrefix}/`)) return proxy(req, res, apiTarget, apiPrefix);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJsonError(res, 405, 'BAD_REQUEST', 'Method not allowed.');
    serveFile(req, res, normalize(root)).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
