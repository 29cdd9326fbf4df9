export * from './lib/chaos-provider';
export * from './lib/image-provider';
export * from './lib/local-provider';
export * from './lib/providers.module';
