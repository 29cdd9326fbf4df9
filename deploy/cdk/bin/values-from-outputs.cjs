#!/usr/bin/env node
// Chart values of an environment from its stack's outputs (the file `cdk deploy --outputs-file` writes):
//   node deploy/cdk/bin/values-from-outputs.cjs <dev|staging|prod> <outputs.json> > values-cloud.yaml
require('./register.cjs');
require('../src/values-from-outputs.ts');
