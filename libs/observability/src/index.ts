export * from './lib/correlation';
export * from './lib/http-middleware';
export * from './lib/logger';
export * from './lib/metrics';
