// The chaos command, bundled like the services so it runs with plain `node` (no TypeScript loader).
module.exports = require('../../tools/node/webpack-node-bundle.cjs')('tools/chaos');
