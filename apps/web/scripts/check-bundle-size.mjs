#!/usr/bin/env node
// Fails the web build when the JavaScript users download is too big, measured gzipped as it travels
// (Angular's own budgets count uncompressed bytes). Initial scripts are the ones index.html loads or
// preloads; every other script is a lazy chunk, loaded with a page or a feature.
//
// Usage: node apps/web/scripts/check-bundle-size.mjs <browser output dir>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const INITIAL_MAX_BYTES = 80 * 1024;
const LAZY_MAX_BYTES = 40 * 1024;

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const dir = process.argv[2];
if (!dir) {
  console.error('Usage: check-bundle-size.mjs <browser output dir>');
  process.exit(2);
}

const html = readFileSync(join(dir, 'index.html'), 'utf8');
const initialNames = new Set(
  [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]),
);
const scripts = readdirSync(dir).filter((name) => name.endsWith('.js'));
if (initialNames.size === 0 || scripts.length === 0) {
  console.error(`No scripts found in ${dir} or its index.html: is this an Angular browser build?`);
  process.exit(2);
}

const gzipped = (name) => gzipSync(readFileSync(join(dir, name))).length;
const initial = scripts.filter((name) => initialNames.has(name));
const lazy = scripts.filter((name) => !initialNames.has(name)).map((name) => ({ name, bytes: gzipped(name) }));
const initialBytes = initial.reduce((sum, name) => sum + gzipped(name), 0);

console.log(`Initial JS (${initial.join(', ')}): ${kb(initialBytes)} gzipped, limit ${kb(INITIAL_MAX_BYTES)}`);
for (const chunk of lazy) console.log(`Lazy chunk ${chunk.name}: ${kb(chunk.bytes)} gzipped, limit ${kb(LAZY_MAX_BYTES)}`);

const problems = [];
if (initialBytes > INITIAL_MAX_BYTES) problems.push(`initial JS is ${kb(initialBytes)} gzipped, over ${kb(INITIAL_MAX_BYTES)}`);
for (const chunk of lazy.filter((c) => c.bytes > LAZY_MAX_BYTES)) {
  problems.push(`lazy chunk ${chunk.name} is ${kb(chunk.bytes)} gzipped, over ${kb(LAZY_MAX_BYTES)}`);
}
if (problems.length > 0) {
  console.error(`Bundle size budget exceeded: ${problems.join('; ')}.`);
  process.exit(1);
}
