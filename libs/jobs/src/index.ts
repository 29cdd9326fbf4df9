export * from './lib/job-events';
export * from './lib/job-store';
export * from './lib/jobs.module';
export * from './lib/queues';
export { CANCELS_CHANNEL, EVENTS_CHANNEL } from './lib/scripts';
