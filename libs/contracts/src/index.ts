export * from './lib/correlation';
export * from './lib/errors';
export * from './lib/gallery';
export * from './lib/generation';
export * from './lib/health';
export * from './lib/job-id';
export * from './lib/runtime-config';
