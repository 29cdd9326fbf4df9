// The framework's floor under the gateway's GET /status: a NestJS application on Express with one
// route answering the same JSON document as tools/bench/bare-node.mjs. Arguments: the port, the
// document's file, and optionally `shared`:
//  - without it, nothing else runs on a request (no logging, metrics, correlation ids, security
//    headers or body parsing): what the framework itself costs;
//  - with `shared`, the application is made by libs/service's createServiceApp with its
//    ServiceModule, as every service is: the per-request work all three services share (the
//    correlation id, the duration histogram, one log line, helmet's headers, the drain and body
//    middleware) on top of the framework, but none of the gateway's own.
// Against bare Node's rate, the two say how much of the gateway's gap is the framework, how much the
// shared layers, and how much the gateway's own route.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Controller, Get, Module, Res } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const [port, bodyFile, layers] = process.argv.slice(2);
const body = readFileSync(bodyFile);

class StatusController {
  status(res) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(body);
  }
}
// Plain JavaScript has no decorator syntax: the decorators are applied as TypeScript would apply them.
Res()(StatusController.prototype, 'status', 0);
Reflect.decorate([Get('status/:jobId')], StatusController.prototype, 'status', Object.getOwnPropertyDescriptor(StatusController.prototype, 'status'));
Reflect.decorate([Controller()], StatusController);
class StatusModule {}
Reflect.decorate([Module({})], StatusModule);

let app;
if (layers === 'shared') {
  require(join(ROOT, 'tools/node/register-ts.cjs'))(join(ROOT, 'libs/service/tsconfig.json'));
  const { serviceEnvSchema } = require(join(ROOT, 'libs/config/src/index.ts'));
  const { ServiceModule, createServiceApp } = require(join(ROOT, 'libs/service/src/index.ts'));
  const config = serviceEnvSchema.parse(process.env);
  const module = { module: StatusModule, imports: [ServiceModule.forRoot({ service: 'bench', config, checks: [] })], controllers: [StatusController] };
  app = await createServiceApp(module, config);
} else {
  app = await NestFactory.create({ module: StatusModule, controllers: [StatusController] }, { logger: false, bodyParser: false });
}
await app.listen(Number(port), '127.0.0.1');

process.once('SIGTERM', () => process.exit(0));
