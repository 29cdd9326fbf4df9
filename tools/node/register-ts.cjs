// Runs the workspace's TypeScript from source (transpiled on the fly, no build step) with the path
// aliases of tsconfig.base.json, for scripts outside Jest:
//   require('<root>/tools/node/register-ts.cjs')('<root>/libs/providers/tsconfig.json');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '../..');

/** Compiles .ts files required from now on with `project`'s settings, as CommonJS. */
module.exports = function registerTypeScript(project) {
  // Nx's jest runner exports its own ts-node options, which would override these in child processes.
  delete process.env.TS_NODE_COMPILER_OPTIONS;
  require('ts-node').register({
    transpileOnly: true,
    project,
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' },
  });
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
  require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
};
