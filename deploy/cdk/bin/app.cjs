// The CDK app that cdk.json runs: `npx cdk synth|diff|deploy` in deploy/cdk.
require('./register.cjs');
require('../src/main.ts');
