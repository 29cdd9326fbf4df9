// Summarises a V8 CPU profile (node --cpu-prof; tools/bench/speed.mjs --cpu-prof DIR writes the
// gateway's under load): the functions with the most self time, and the share of each part of the
// stack: the packages from node_modules (Express and its router, pino, prom-client, helmet, ioredis,
// bull, zod, Nest...), the service's bundled code, Node's own code, garbage collection. Time in Node's
// built-in modules and in native code is charged to the package (or service code) that called it, so
// a socket write shows up under whoever wrote; what no package called (parsing HTTP, timers) stays
// Node's. Idle time is left out: the shares are of the time the process spent working.
// Usage: node tools/bench/cpu-profile.mjs FILE.cpuprofile [--top N]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: options, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
if (positionals.length !== 1) throw new Error('usage: node tools/bench/cpu-profile.mjs FILE.cpuprofile [--top N]');
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const sourceMaps = new Map();
/** The bundle's source map (webpack writes main.js.map beside it), to name the library a frame came from. */
function sourceMapOf(url) {
  if (!sourceMaps.has(url)) {
    const file = `${url.startsWith('file:') ? fileURLToPath(url) : url}.map`;
    sourceMaps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  return sourceMaps.get(url);
}

/** The package, or for the bundle the project (libs/jobs, apps/gateway), a frame's code belongs to; undefined for Node's and V8's own code. */
function ownerOf({ url, lineNumber, columnNumber }) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (!/dist\/apps\//.test(url)) return undefined;
  const source = sourceMapOf(url)?.findEntry(lineNumber, columnNumber)?.originalSource ?? '';
  return /(?:apps|libs)\/[^/]+/.exec(source)?.[0] ?? 'service bundle';
}

/** file:line of a frame: inside its package, or in the project's sources for the bundle. */
function locationOf({ url, lineNumber, columnNumber }) {
  const entry = /dist\/apps\//.test(url) ? sourceMapOf(url)?.findEntry(lineNumber, columnNumber) : undefined;
  if (entry?.originalSource) return `${entry.originalSource.replace(/^.*?((?:apps|libs)\/)/, '$1')}:${entry.originalLine + 1}`;
  return `${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
}

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

/** The nearest frame (itself or a caller) owned by a package or the bundle. */
function chargedTo(id) {
  for (let at = id; at !== undefined; at = parents.get(at)) {
    const owner = ownerOf(nodes.get(at).callFrame);
    if (owner) return owner;
  }
  const { functionName } = nodes.get(id).callFrame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  return functionName === '(program)' ? 'V8 (program)' : 'node (HTTP parsing, timers, sockets)';
}

// Time per sample: the gap to the next one (the last sample gets the mean gap).
const selfMicros = new Map();
const meanGap = (profile.endTime - profile.startTime) / profile.samples.length;
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? meanGap)));

const byFunction = new Map();
const byPart = new Map();
let busy = 0;
for (const [id, micros] of selfMicros) {
  const { callFrame } = nodes.get(id);
  if (callFrame.functionName === '(idle)') continue;
  busy += micros;
  const key = `${callFrame.functionName || '(anonymous)'} ${locationOf(callFrame)}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const part = chargedTo(id);
  byPart.set(part, (byPart.get(part) ?? 0) + micros);
}

const share = (micros) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
const total = (profile.endTime - profile.startTime) / 1e6;
console.log(`${total.toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / (total * 1e6)).toFixed(0)}%)`);
console.log('\nbusy time by part (Node built-ins and native code charged to their caller):');
for (const [part, micros] of [...byPart].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${share(micros)}  ${part}`);
console.log(`\ntop ${options.top} functions by self time:`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(options.top))) console.log(`  ${share(micros)}  ${key}`);
