export * from './lib/boot';
export * from './lib/default-models';
export * from './lib/registry';
