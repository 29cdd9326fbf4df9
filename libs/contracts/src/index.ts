export * from './lib/correlation';
export * from './lib/errors';
export * from './lib/gallery';
export * from './lib/generation';
export * from './lib/health';
export * from './lib/runtime-config';
