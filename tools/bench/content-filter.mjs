// How long the content filter (libs/prompts) takes per prompt, on ordinary text (Latin and Cyrillic,
// which takes the Unicode normalisation path) and on the inputs most likely to be slow (joined pieces,
// spelled-out letters, words split by spaces), at the 1000-character prompt limit.
// Run: source tools/node/use-node24.sh && node tools/bench/content-filter.mjs
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './measure.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The filter is TypeScript with JSON data files beside it.
const require = createRequire(import.meta.url);
require(join(root, 'tools/node/register-ts.cjs'))(join(root, 'libs/prompts/tsconfig.json'));
const { ContentFilter } = require(join(root, 'libs/prompts/src/lib/content-filter/content-filter.ts'));
const filter = new ContentFilter();

const fill = (text) => text.repeat(Math.ceil(1000 / text.length)).slice(0, 1000);
const PROMPTS = {
  'ordinary text': fill('A watercolour of a lighthouse on the Sussex coast at dawn, gulls, mist, 4k, highly detailed. '),
  'ordinary text, Cyrillic': fill('Акварель: маяк на скалистом берегу на рассвете, чайки, туман, очень подробно. '),
  'joined pieces (aa.aa.…)': 'aa.'.repeat(334).slice(0, 1000),
  'spaced letters (a a …)': 'a '.repeat(500),
  'spelled-out term (n.u.d.e …)': 'n.u.d.e '.repeat(125),
  'words split by spaces (na ke …)': fill('na ke na ke '),
};

const ROUNDS = 2000;
const rows = [];
for (const [name, prompt] of Object.entries(PROMPTS)) {
  for (let k = 0; k < 200; k++) filter.check(prompt); // warm-up: let the JIT settle
  const samples = [];
  for (let k = 0; k < ROUNDS; k++) {
    const started = process.hrtime.bigint();
    filter.check(prompt);
    samples.push(Number(process.hrtime.bigint() - started) / 1e3);
  }
  samples.sort((a, b) => a - b);
  rows.push({ prompt: name, chars: prompt.length, 'p50 µs': Math.round(percentile(samples, 50)), 'p99 µs': Math.round(percentile(samples, 99)) });
}
console.table(rows);
