// Jest reporter that records each run's counts, and the tests that failed, so the README's test
// command can close with one summary across every project Nx ran: Nx interleaves the projects'
// output, and a failure scrolled far up is easy to miss. Inactive unless PP_TEST_SUMMARY_DIR is set.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

// The first lines of a failure say what was expected; the rest is a stack the full output keeps.
const FAILURE_LINES = 6;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(contexts, results) {
    const dir = process.env.PP_TEST_SUMMARY_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const failures = [];
    const projectName = [...contexts][0]?.config.displayName?.name;
    for (const suite of results.testResults) {
      // Named as Jest names it, `<project> <file>`, with the file relative to its project. A file
      // that failed to run carries no project name; each of the workspace's runs is one project.
      const project = suite.displayName?.name ?? projectName;
      const file = `${project ? `${project} ` : ''}${relative(this.rootDir, suite.testFilePath)}`;
      if (suite.testExecError) failures.push({ test: file, message: firstLines(suite.testExecError.message) });
      for (const test of suite.testResults) {
        if (test.status === 'failed') {
          failures.push({ test: `${file} › ${test.fullName}`, message: firstLines(test.failureMessages.join('\n')) });
        }
      }
    }
    const name = this.rootDir.replace(/[^A-Za-z0-9]+/g, '_');
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({
        rootDir: this.rootDir,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failures,
      }),
    );
  }
}

function firstLines(text) {
  // Jest's messages carry terminal colours; the summary is read in CI logs as plain text.
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, FAILURE_LINES)
    .join('\n');
}

module.exports = SummaryReporter;
