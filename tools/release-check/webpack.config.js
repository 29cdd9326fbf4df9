module.exports = require('../../tools/node/webpack-node-bundle.cjs')('tools/release-check');
