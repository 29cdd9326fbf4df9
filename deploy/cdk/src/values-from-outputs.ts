import { readFileSync } from 'node:fs';
import { environment } from './environments';
import { type OutputsFile, valuesYaml } from './outputs';

const [name, file] = process.argv.slice(2);
if (!name || !file) {
  process.stderr.write('usage: values-from-outputs.cjs <dev|staging|prod> <outputs.json>\n');
  process.exit(2);
}
try {
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as OutputsFile;
  process.stdout.write(valuesYaml(environment(name), outputs));
} catch (error) {
  process.stderr.write(`values-from-outputs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
