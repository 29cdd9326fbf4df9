export * from './lib/cdn';
export * from './lib/load-config';
export * from './lib/schemas';
export * from './lib/secrets';
