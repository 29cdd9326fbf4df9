// dist/apps/gallery/package.json lists exactly the runtime dependencies the bundle needs (for images).
module.exports = require('../../tools/node/webpack-node-bundle.cjs')('apps/gallery', { generatePackageJson: true });
