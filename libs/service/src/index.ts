export * from './lib/api-error';
export * from './lib/error.filter';
export * from './lib/lifecycle';
export * from './lib/nest-logger';
export * from './lib/readiness';
export * from './lib/run-service';
export * from './lib/service.module';
export * from './lib/tokens';
