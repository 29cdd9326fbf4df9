// Runs the TypeScript sources directly (transpiled on the fly, no build step), with the workspace's
// path aliases: the CDK app and the values command share src/ with the tests.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '../../..');
delete process.env.TS_NODE_COMPILER_OPTIONS;
require('ts-node').register({
  transpileOnly: true,
  project: join(__dirname, '../tsconfig.json'),
  compilerOptions: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' },
});
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
