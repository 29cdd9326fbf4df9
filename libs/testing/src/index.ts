export * from './lib/conformance';
export * from './lib/ports';
export * from './lib/processes';
export * from './lib/redis-server';
export * from './lib/s3rver';
export * from './lib/service-process';
export * from './lib/wait-for';
export * from './lib/workspace';
