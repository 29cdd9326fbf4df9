import { main } from './cli';

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`release-check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
