import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceRoot } from '@pixel-prompt/testing';
import { formatReport } from './report';
import { type ChaosOptions, runChaos } from './run';

const USAGE = `Usage: node dist/tools/chaos/main.js [options]

Runs Pixel Prompt's built services on free loopback ports, submits generations and, while they run,
kills workers, Redis and S3 and lets providers fail; then checks that nothing accepted was lost.
Build first: npx nx run-many -t build -p gateway generation gallery chaos

  --jobs N                      generations to submit (1000)
  --submit-seconds S            spread the submissions and the faults over S seconds (60)
  --workers N                   generation workers (2)
  --worker-kills N              worker SIGKILLs, evenly spread (12: one every ~4.5 s)
  --redis-down-ms MS            Redis stays down this long after its kill -9 (2000)
  --s3-outage-ms MS             s3rver is stopped this long (30000)
  --storage-retry-window-ms MS  the workers' STORAGE_RETRY_WINDOW_MS (60000, the default)
  --registry PATH               model registry (tools/chaos/models.yaml)
  --finish-timeout-ms MS        how long jobs may take to end after the faults (300000)
  --report PATH                 also write the report as JSON
  --logs DIR                    write every service's log into DIR
`;

function main(): void {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000' },
      'submit-seconds': { type: 'string', default: '60' },
      workers: { type: 'string', default: '2' },
      'worker-kills': { type: 'string', default: '12' },
      'redis-down-ms': { type: 'string', default: '2000' },
      's3-outage-ms': { type: 'string', default: '30000' },
      'storage-retry-window-ms': { type: 'string', default: '60000' },
      registry: { type: 'string', default: join(workspaceRoot(), 'tools/chaos/models.yaml') },
      'finish-timeout-ms': { type: 'string', default: '300000' },
      report: { type: 'string' },
      logs: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
    return value;
  };
  const options: ChaosOptions = {
    jobs: number('jobs'),
    submitSeconds: number('submit-seconds'),
    workers: Math.max(1, number('workers')),
    workerKills: number('worker-kills'),
    redisDownMs: number('redis-down-ms'),
    s3OutageMs: number('s3-outage-ms'),
    storageRetryWindowMs: number('storage-retry-window-ms'),
    registryPath: resolve(String(values.registry)),
    finishTimeoutMs: number('finish-timeout-ms'),
    logsDir: values.logs && resolve(values.logs),
  };
  runChaos(options, (line) => process.stdout.write(`${line}\n`)).then(
    (report) => {
      process.stdout.write(`\n${formatReport(report)}\n`);
      if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
      process.exit(report.ok ? 0 : 1);
    },
    (error: unknown) => {
      process.stderr.write(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}

main();
