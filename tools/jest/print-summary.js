// Adds up what tools/jest/summary-reporter.js recorded and prints the closing lines of the test run:
// each failed test with the start of its message, then the totals.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.argv[2];
const totals = { passed: 0, failed: 0, skipped: 0, projects: 0 };
const failures = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  totals.passed += result.passed;
  totals.failed += result.failed;
  totals.skipped += result.skipped;
  totals.projects += 1;
  failures.push(...result.failures);
}
for (const { test, message } of failures) {
  console.log(`failed: ${test}`);
  console.log(message.replace(/^/gm, '    '));
}
console.log(`jest projects run: ${totals.projects}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 || totals.projects === 0 ? 1 : 0;
