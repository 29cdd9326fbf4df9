// Writes the values table of the chart's README from values.yaml and its `# --` comments:
//   node tools/helm/values-docs.mjs           rewrite deploy/helm/pixel-prompt/README.md
//   node tools/helm/values-docs.mjs --check   exit 1 when the README's table is not what values.yaml says
// A comment block starting with `# --` right above a key describes it (following `#` lines continue
// the text). Every leaf value gets a row, and so does every described key; lists and maps written
// inline are leaves.
// The table sits between the README's `<!-- values:start -->` and `<!-- values:end -->` lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const START = '<!-- values:start -->';
const END = '<!-- values:end -->';

const chart = process.env.CHART_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../deploy/helm/pixel-prompt');
const valuesText = readFileSync(join(chart, 'values.yaml'), 'utf8');
const values = parse(valuesText);
const readmeFile = join(chart, 'README.md');

const isMap = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

function valueAt(path) {
  return path.reduce((node, key) => (isMap(node) ? node[key] : undefined), values);
}

/** Keys in file order with their dotted path and description; keys inside lists belong to the list's default. */
function documentedKeys() {
  const keys = [];
  const stack = []; // { indent, key }
  let comment = [];
  for (const line of valuesText.split('\n')) {
    const commentLine = /^(\s*)#(.*)$/.exec(line);
    if (commentLine) {
      const text = commentLine[2].replace(/^ /, '');
      if (text.startsWith('-- ')) comment = [text.slice(3)];
      else if (comment.length) comment.push(text);
      continue;
    }
    const key = /^(\s*)("[^"]+"|[^\s#"'-][^:#]*?):(\s|$)/.exec(line);
    if (!key) {
      if (line.trim() !== '') comment = [];
      continue;
    }
    const indent = key[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    const name = key[2].replace(/^"|"$/g, '');
    const path = [...stack.map((s) => s.key), name];
    stack.push({ indent, key: name });
    const description = comment.join(' ').trim();
    comment = [];
    const parentPath = path.slice(0, -1);
    if (parentPath.length && !isMap(valueAt(parentPath))) continue;
    const value = valueAt(path);
    // A map written inline (`{ cpu: 200m }`) reads best as one value.
    const inline = line.slice(key[0].length).trimStart().startsWith('{');
    const leaf = !isMap(value) || Object.keys(value).length === 0 || inline;
    if (leaf || description) keys.push({ path: path.join('.'), value, leaf, description });
  }
  return keys;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : 'string';
}

const cell = (text) => text.replace(/\|/g, '\\|');

function table() {
  const rows = documentedKeys().map(({ path, value, leaf, description }) => {
    const shown = leaf ? `\`${cell(JSON.stringify(value))}\`` : 'see below';
    return `| \`${path}\` | ${typeOf(value)} | ${shown} | ${cell(description)} |`;
  });
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const readme = readFileSync(readmeFile, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  process.stderr.write(`${readmeFile}: no ${START} ... ${END} section\n`);
  process.exit(2);
}
const updated = `${readme.slice(0, start + START.length)}\n${table()}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    process.stderr.write(`${readmeFile} is out of date with values.yaml: run node tools/helm/values-docs.mjs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(readmeFile, updated);
}
