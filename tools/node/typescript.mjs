// Lets a tool script require the workspace's TypeScript sources: compiled on the fly as CommonJS
// (transpile only, with the given project's settings), JSON imports included.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function typescriptRequire(root, project) {
  const require = createRequire(join(root, 'package.json'));
  delete process.env.TS_NODE_COMPILER_OPTIONS;
  require('ts-node').register({
    transpileOnly: true,
    project: join(root, project),
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' },
  });
  return require;
}
