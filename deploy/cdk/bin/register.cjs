// The CDK app and the values command run src/ directly, as the tests do: no build step.
require('../../../tools/node/register-ts.cjs')(require('node:path').join(__dirname, '../tsconfig.json'));
