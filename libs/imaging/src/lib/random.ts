/** cyrb53: a fast, well-mixed 53-bit string hash (stable across platforms and releases). */
export function hash(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** mulberry32: a small seeded PRNG; the same seed always gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth 2D value noise over a seeded 256×256 lattice, and its fractal sum. */
export class Noise {
  private readonly lattice = new Float32Array(256 * 256);

  constructor(random: () => number) {
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = random();
  }

  /** Value noise in [0, 1]. */
  at(x: number, y: number): number {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = x - xi;
    const fy = y - yi;
    const u = fx * fx * (3 - 2 * fx);
    const v = fy * fy * (3 - 2 * fy);
    const x0 = xi & 255;
    const y0 = yi & 255;
    const x1 = (x0 + 1) & 255;
    const y1 = (y0 + 1) & 255;
    const l = this.lattice;
    const a = l[y0 * 256 + x0] as number;
    const b = l[y0 * 256 + x1] as number;
    const c = l[y1 * 256 + x0] as number;
    const d = l[y1 * 256 + x1] as number;
    return a + (b - a) * u + (c - a) * v + (a - b - c + d) * u * v;
  }

  /**
   * Fractal Brownian motion: `octaves` layers of noise, each twice the frequency and half the weight,
   * normalised into [0, 1]. `detail` finer octaves may continue the series, zero-centred and not
   * renormalised, each keeping `roughness` of the previous one's weight: they add fine detail without
   * flattening the large-scale shape. A fractional `detail` fades its last octave in.
   */
  fbm(x: number, y: number, octaves: number, detail = 0, roughness = 0.6): number {
    let sum = 0;
    let amplitude = 0.5;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * this.at(x, y);
      norm += amplitude;
      x = x * 2.03 + 17.1;
      y = y * 2.03 + 31.7;
      amplitude *= 0.5;
    }
    sum /= norm;
    amplitude /= norm;
    for (let o = 0; o < detail; o++) {
      sum += amplitude * Math.min(1, detail - o) * (this.at(x, y) - 0.5);
      x = x * 2.03 + 17.1;
      y = y * 2.03 + 31.7;
      amplitude *= roughness;
    }
    return sum;
  }
}
