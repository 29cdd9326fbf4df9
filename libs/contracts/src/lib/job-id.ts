/**
 * A job id as the job store creates it (a lowercase UUID v4), as a pattern source: the storage
 * layout builds its key patterns on it.
 */
export const JOB_ID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

const JOB_ID = new RegExp(`^${JOB_ID_SOURCE}$`);

/** Whether `value` is a job id: nothing else is looked up in Redis or made into an S3 key. */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}
