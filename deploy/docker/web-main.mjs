// Entry point of the web image: serves the Angular build on PORT (8080) until SIGTERM.
// The Ingress routes the API paths to the gateway itself; API_TARGET only matters for clients
// still using the /api prefix the local stack serves.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebServer } from './web-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const server = await startWebServer({
  root: process.env.WEB_ROOT ?? join(here, 'browser'),
  host: process.env.HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 8080),
  apiTarget: process.env.API_TARGET ?? 'http://127.0.0.1:3000',
});
process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'web listening', port: server.address().port })}\n`);

// Finish requests in flight, then exit; Kubernetes removes the pod from the Service meanwhile.
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
