import { crc32, inflateSync } from 'node:zlib';

/** A minimal, independent PNG reader for the tests: checks every chunk's CRC and undoes the filters. */
export function decodePng(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const buffer = Buffer.from(png);
  expect(buffer.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    expect(buffer.readUInt32BE(offset + 8 + length)).toBe(crc32(buffer.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8, 13)]).toEqual([8, 2, 0, 0, 0]);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  expect(raw.length).toBe(height * (stride + 1));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    expect(filter).toBeLessThanOrEqual(4);
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] as number;
      const a = i >= 3 ? (rgb[y * stride + i - 3] as number) : 0;
      const b = y > 0 ? (rgb[(y - 1) * stride + i] as number) : 0;
      const c = i >= 3 && y > 0 ? (rgb[(y - 1) * stride + i - 3] as number) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      rgb[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return { width, height, rgb };
}

/** Mean chroma (max - min channel), mean R, G, B, and mean difference between horizontal neighbours. */
export function stats({ width, height, rgb }: { width: number; height: number; rgb: Uint8Array }) {
  let chroma = 0;
  const mean = [0, 0, 0];
  let detail = 0;
  for (let i = 0; i < width * height; i++) {
    const r = rgb[i * 3] as number;
    const g = rgb[i * 3 + 1] as number;
    const b = rgb[i * 3 + 2] as number;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
    mean[0]! += r;
    mean[1]! += g;
    mean[2]! += b;
    if (i % width > 0) detail += Math.abs(r + g + b - ((rgb[i * 3 - 3] as number) + (rgb[i * 3 - 2] as number) + (rgb[i * 3 - 1] as number)));
  }
  const n = width * height;
  return { chroma: chroma / n, red: mean[0]! / n, green: mean[1]! / n, blue: mean[2]! / n, detail: detail / n };
}
