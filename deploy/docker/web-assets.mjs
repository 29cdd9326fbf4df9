// Prepares the Angular build for nginx, in the web image's build stage (deploy/docker/web.Dockerfile):
//   node web-assets.mjs <browser dir> <nginx include to write>
// - Next to each text file, a Brotli (.br) and a gzip (.gz) copy at the highest levels, which
//   nginx's brotli_static and gzip_static serve: nothing is compressed per request. config.json
//   gets none: the chart mounts the deployment's own over it, and nginx would serve a stale copy.
// - The nginx include defining $inline_script_hashes, the CSP hashes of index.html's inline
//   scripts, so the policy allows exactly those scripts and no others.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [root, include] = process.argv.slice(2);
if (!root || !include) throw new Error('usage: node web-assets.mjs <browser dir> <nginx include to write>');

const TEXT = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt', '.webmanifest']);
const NOT_PRECOMPRESSED = new Set(['config.json']);

for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !TEXT.has(extname(entry.name)) || NOT_PRECOMPRESSED.has(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  const bytes = readFileSync(path);
  const copies = {
    br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
    gz: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }),
  };
  // A copy no smaller than the file (tiny files) would only cost bytes and a header.
  for (const [suffix, copy] of Object.entries(copies)) if (copy.length < bytes.length) writeFileSync(`${path}.${suffix}`, copy);
}

const index = readFileSync(join(root, 'index.html'), 'utf8');
const hashes = [...index.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map(([, body]) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`);
writeFileSync(include, `# Written by web-assets.mjs at build time.\nmap $request_method $inline_script_hashes { default "${hashes.join(' ')}"; }\n`);
