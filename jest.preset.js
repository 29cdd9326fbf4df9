const nxPreset = require('@nx/jest/preset').default;
const { join } = require('node:path');

module.exports = {
  ...nxPreset,
  // Every suite also reports its counts to tools/jest/summary-reporter.js, which the
  // README's test command adds up into one closing line.
  reporters: ['default', join(__dirname, 'tools/jest/summary-reporter.js')],
};
