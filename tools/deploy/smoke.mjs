// Smoke requests through a public URL, as browsers make them: the web app's start page and runtime
// config, and one API route under /api. Prints each status; exits 1 unless all answer 200.
//   node tools/deploy/smoke.mjs https://pixel-prompt.example.com
const base = (process.argv[2] ?? '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  process.stderr.write('usage: node tools/deploy/smoke.mjs <public URL>\n');
  process.exit(2);
}
const urls = [`${base}/`, `${base}/config.json`, `${base}/api/models`];
const results = await Promise.all(
  urls.map(async (url) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch((error) => ({ status: String(error.cause?.code ?? error.name) }));
    process.stderr.write(`${res.status} ${url}\n`);
    return res.status === 200;
  }),
);
process.exit(results.every(Boolean) ? 0 : 1);
