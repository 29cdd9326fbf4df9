module.exports = require('../../tools/node/webpack-node-bundle.cjs')('apps/generation', {
  // Worker threads render the built-in models' images; they run this second bundle.
  additionalEntryPoints: [{ entryName: 'render-worker', entryPath: './src/render-worker.ts' }],
  // dist/apps/generation/package.json lists exactly the runtime dependencies the bundle needs (for images).
  generatePackageJson: true,
});
