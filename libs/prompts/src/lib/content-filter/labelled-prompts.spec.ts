import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentFilter } from './content-filter';

/** The policy's goals on the labelled table (docs/ARCHITECTURE.md, "Prompt policy"). */
const MAX_BYPASS = 0.05;
const MAX_FALSE_POSITIVES = 0.02;

interface LabelledPrompt {
  label: 'block' | 'allow';
  category: string;
  prompt: string;
}

function readTable(): LabelledPrompt[] {
  const lines = readFileSync(join(__dirname, 'labelled-prompts.tsv'), 'utf8').split('\n');
  const [header, ...rows] = lines.filter((line) => line !== '' && !line.startsWith('#'));
  expect(header).toBe('label\tcategory\tprompt');
  return rows.map((line) => {
    const [label, category, prompt, ...rest] = line.split('\t');
    if ((label !== 'block' && label !== 'allow') || !category || !prompt || rest.length > 0) throw new Error(`bad table row: ${line}`);
    return { label, category, prompt };
  });
}

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

describe('ContentFilter on the labelled prompts', () => {
  const table = readTable();
  const filter = new ContentFilter();
  const blocked = table.filter((row) => row.label === 'block');
  const allowed = table.filter((row) => row.label === 'allow');
  const bypasses = blocked.filter((row) => filter.check(row.prompt).ok);
  const falsePositives = allowed.filter((row) => !filter.check(row.prompt).ok);

  it('covers the cases the policy is about, at least 300 prompts', () => {
    expect(table.length).toBeGreaterThanOrEqual(300);
    expect(new Set(table.map((row) => row.prompt)).size).toBe(table.length);
    const categories = new Set(table.map((row) => row.category));
    for (const category of ['leet', 'split', 'homoglyph-greek', 'homoglyph-cyrillic', 'homoglyph-smallcaps', 'unicode', 'inflection', 'es', 'fr', 'de', 'it', 'pt', 'ru', 'scunthorpe']) {
      expect(categories).toContain(category);
    }
  });

  it(`lets at most ${MAX_BYPASS * 100}% of the blocked prompts through and refuses at most ${MAX_FALSE_POSITIVES * 100}% of the allowed ones`, () => {
    // Printed on every run: these are the figures docs/ARCHITECTURE.md reports.
    process.stdout.write(
      [
        `Content filter on ${table.length} labelled prompts:`,
        `  bypass: ${bypasses.length} of ${blocked.length} blocked prompts let through (${percent(bypasses.length, blocked.length)}, goal <= ${MAX_BYPASS * 100}%)`,
        ...bypasses.map((row) => `    let through [${row.category}] ${JSON.stringify(row.prompt)}`),
        `  false positives: ${falsePositives.length} of ${allowed.length} allowed prompts refused (${percent(falsePositives.length, allowed.length)}, goal <= ${MAX_FALSE_POSITIVES * 100}%)`,
        ...falsePositives.map((row) => `    refused [${row.category}] ${JSON.stringify(row.prompt)}`),
        '',
      ].join('\n'),
    );
    expect(bypasses.length / blocked.length).toBeLessThanOrEqual(MAX_BYPASS);
    expect(falsePositives.length / allowed.length).toBeLessThanOrEqual(MAX_FALSE_POSITIVES);
  });
});
