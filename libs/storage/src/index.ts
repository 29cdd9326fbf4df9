export * from './lib/image-links';
export * from './lib/layout';
export * from './lib/lru-cache';
export * from './lib/outage-retry';
export * from './lib/storage.module';
