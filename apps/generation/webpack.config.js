const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/generation'), clean: true },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // Worker threads render the built-in models' images; they run this second bundle.
      additionalEntryPoints: [{ entryName: 'render-worker', entryPath: './src/render-worker.ts' }],
      tsConfig: './tsconfig.app.json',
      optimization: false,
      outputHashing: 'none',
      // dist/apps/generation/package.json lists exactly the runtime dependencies the bundle needs (for images).
      generatePackageJson: true,
      sourceMap: true,
    }),
  ],
};
