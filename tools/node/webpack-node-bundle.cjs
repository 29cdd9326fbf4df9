// The one way the workspace bundles a Node program (the services, the chaos and release-check
// commands): webpack through Nx with tsc, unminified and with source maps, so it runs with plain
// `node` (no TypeScript loader) and its stack traces name the sources. `project` is its folder
// under the workspace root; the bundle goes to the same path under dist/. `options` adds to or
// overrides NxAppWebpackPlugin's.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');

module.exports = function nodeBundle(project, options = {}) {
  return {
    output: { path: join(__dirname, '../../dist', project), clean: true },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        sourceMap: true,
        ...options,
      }),
    ],
  };
};
