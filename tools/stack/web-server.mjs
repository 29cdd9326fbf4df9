// Serves the web app's production build and forwards /api and everything under it to the gateway,
// path unchanged, as the Kubernetes Ingress's one rule does in production (the gateway serves every
// route, and its OpenAPI document, under /api): one origin for the browser, no CORS needed.
import { readFile, stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

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

/** Text compresses to a fraction of its size; images are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt', '.webmanifest']);
const ENCODERS = {
  br: promisify((bytes, done) => brotliCompress(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }, done)),
  gzip: promisify((bytes, done) => gzip(bytes, { level: 9 }, done)),
};

/** The encoding to answer with: Brotli, else gzip, else none (identity). */
function encodingFor(req, file) {
  if (!COMPRESSIBLE.has(extname(file))) return undefined;
  // "gzip, deflate, br;q=0.8": the names with their weights; weight 0 means "not this one".
  const weights = new Map(
    String(req.headers['accept-encoding'] ?? '')
      .split(',')
      .map((part) => {
        const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
        const q = params.find((param) => param.startsWith('q='));
        return [name.toLowerCase(), q ? Number(q.slice(2)) : 1];
      }),
  );
  return ['br', 'gzip'].find((encoding) => (weights.get(encoding) ?? 0) > 0);
}

/**
 * The build's files are few and small: each is read and compressed once and then served from
 * memory, until its size or modification time says a new build replaced it.
 */
const bodies = new Map();
function bodyOf(file, info, encoding) {
  const key = `${file}\0${encoding ?? 'identity'}`;
  const version = `${info.size}\0${info.mtimeMs}`;
  const cached = bodies.get(key);
  if (cached?.version === version) return cached.body;
  const body = readFile(file).then((bytes) => (encoding ? ENCODERS[encoding](bytes) : bytes));
  // A failed read is not remembered: the next request tries again.
  body.catch(() => bodies.get(key)?.body === body && bodies.delete(key));
  bodies.set(key, { version, body });
  return body;
}

/** Hashed file names never change content: cache them for a year. index.html and config.json: never. */
function cacheControl(file) {
  // Angular names them name-HASH.ext, the hash being 8 characters of A-Z a-z 0-9 _ and -.
  if (/-[A-Za-z0-9_-]{8}\.(js|css)$/.test(file)) return 'public, max-age=31536000, immutable';
  if (file.endsWith('index.html') || file.endsWith('config.json')) return 'no-cache';
  return 'public, max-age=3600';
}

function sendJsonError(res, status, error, message) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error, message, correlationId: '' }));
}

function proxy(req, res, apiTarget) {
  const target = new URL(apiTarget);
  const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
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
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // Client-side routes (/gallery) get the app; missing files with an extension get a 404.
    if (extname(path)) return sendJsonError(res, 404, 'NOT_FOUND', 'Not found.');
    file = join(root, 'index.html');
    info = await stat(file);
  }
  const encoding = encodingFor(req, file);
  const body = await bodyOf(file, info, encoding);
  const headers = {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': cacheControl(file),
    'X-Content-Type-Options': 'nosniff',
  };
  if (COMPRESSIBLE.has(extname(file))) headers.Vary = 'Accept-Encoding';
  if (encoding) headers['Content-Encoding'] = encoding;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The Ingress's rule: `/api` (Prefix) is the API. */
const isApi = (url) => /^\/api(?:[/?]|$)/.test(url);

/** Starts the server; resolves once it listens. */
export function startWebServer({ root, host, port, apiTarget }) {
  const server = createServer((req, res) => {
    if (isApi(req.url)) return proxy(req, res, apiTarget);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJsonError(res, 405, 'BAD_REQUEST', 'Method not allowed.');
    serveFile(req, res, normalize(root)).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
