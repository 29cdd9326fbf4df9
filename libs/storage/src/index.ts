export * from './lib/layout';
export * from './lib/s3';
export * from './lib/storage.module';
