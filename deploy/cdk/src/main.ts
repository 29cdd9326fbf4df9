import { App } from 'aws-cdk-lib';
import { addEnvironments } from './app';
import { environments } from './environments';

// The CDK app (cdk.json): every environment's stack.
const app = new App();
addEnvironments(app, environments());
app.synth();
