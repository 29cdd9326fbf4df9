// The CDK app and the values command run src/ directly, as the tests do: no build step.
const { join } = require('node:path');

require(join(__dirname, '../../../tools/node/register-ts.cjs'))(join(__dirname, '../tsconfig.json'));
