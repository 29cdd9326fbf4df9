// Copies the k6 scripts (every tools/load/*.ts) into the chart, whose ConfigMap can only hold files
// inside the chart folder: deploy/helm/pixel-prompt/files/load-test/. k6 runs them as they are.
// Run it after changing a script; `--check` changes nothing and exits 1 naming each copy that is
// stale, missing or left over (the chart's tests run it).
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '../../deploy/helm/pixel-prompt/files/load-test');
const check = process.argv.includes('--check');

const scripts = readdirSync(here).filter((f) => f.endsWith('.ts')).sort();
const copies = readdirSync(target).filter((f) => f.endsWith('.ts'));
const wanted = new Map(
  scripts.map((f) => [f, `// Copied from tools/load/${f} by tools/load/copy-to-chart.mjs: edit that file, then run the script.\n${readFileSync(join(here, f), 'utf8')}`]),
);

const problems = [];
for (const [file, content] of wanted) {
  const copy = copies.includes(file) ? readFileSync(join(target, file), 'utf8') : undefined;
  if (copy === content) continue;
  problems.push(`${file} is ${copy === undefined ? 'missing' : 'stale'}`);
  if (!check) writeFileSync(join(target, file), content);
}
for (const file of copies.filter((f) => !wanted.has(f))) {
  problems.push(`${file} has no source`);
  if (!check) rmSync(join(target, file));
}
if (check && problems.length) {
  console.error(`the chart's copies of the k6 scripts are out of date (${problems.join('; ')}): run node tools/load/copy-to-chart.mjs`);
  process.exit(1);
}
console.log(check ? `${wanted.size} k6 scripts in the chart are up to date` : `${problems.length ? problems.join('; ') : 'nothing to do'}: ${target}`);
