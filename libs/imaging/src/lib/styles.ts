import type { Noise } from './random';

export interface StyleContext {
  noise: Noise;
  random: () => number;
  /** 1-100: how much detail (octaves, shapes, layers). */
  steps: number;
  width: number;
  height: number;
}

/** Maps a pixel (x, y in [0, 1), y downwards) to a palette position in [0, 1]. */
export type Field = (x: number, y: number, px: number, py: number) => number;

const TAU = Math.PI * 2;

function octaves(steps: number): number {
  return 1 + Math.round((steps / 100) * 6);
}

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Octaves of the large-scale shape in `layeredNoise`: fixed, so steps never move the composition. */
const BASE_OCTAVES = 2;

/** Finer octaves that steps add on top of the base ones: from ~0 at steps 1 to 5 at steps 100, fractional so every step counts. */
function detailOctaves(steps: number): number {
  return (steps / 100) * 5;
}

/** Noise whose coarse octaves don't depend on steps; `extra` finer octaves add only fine detail. */
function layeredNoise(noise: Noise, x: number, y: number, extra: number): number {
  return noise.fbm(x, y, BASE_OCTAVES, extra);
}

/** Flowing horizontal bands, bent by noise: northern lights. */
function aurora({ noise, random, steps }: StyleContext): Field {
  const extra = detailOctaves(steps);
  const bands = 2 + random() * 3;
  const phase = random() * TAU;
  const bend = 0.2 + random() * 0.3;
  return (x, y) => {
    const warp = layeredNoise(noise, x * 3, y * 2 + 5, extra) - 0.5;
    return clamp01(0.5 + 0.5 * Math.sin((y * bands + bend * Math.sin(x * TAU + phase) + warp) * TAU) * (1 - y * 0.4));
  };
}

/** Veined stone: a sine pattern turbulently displaced. */
function marble({ noise, random, steps }: StyleContext): Field {
  const extra = detailOctaves(steps);
  const kx = 2 + random() * 4;
  const ky = 1 + random() * 4;
  return (x, y) => 0.5 + 0.5 * Math.sin((x * kx + y * ky) * TAU + 7 * layeredNoise(noise, x * 4, y * 4, extra));
}

/** Stained glass: jittered Voronoi cells with dark leading between them. */
function mosaic({ noise, steps }: StyleContext): Field {
  const cells = 3 + Math.floor(steps / 6);
  return (x, y) => {
    const gx = x * cells;
    const gy = y * cells;
    const cx = Math.floor(gx);
    const cy = Math.floor(gy);
    let nearest = Infinity;
    let second = Infinity;
    let value = 0;
    for (let j = -1; j <= 1; j++) {
      for (let i = -1; i <= 1; i++) {
        const nx = cx + i;
        const ny = cy + j;
        const dx = nx + noise.at(nx + 101, ny + 37) - gx;
        const dy = ny + noise.at(nx + 59, ny + 211) - gy;
        const d = dx * dx + dy * dy;
        if (d < nearest) {
          second = nearest;
          nearest = d;
          value = noise.at(nx, ny);
        } else if (d < second) second = d;
      }
    }
    return Math.sqrt(second) - Math.sqrt(nearest) < 0.06 ? 0.02 : 0.15 + value * 0.85;
  };
}

/** Layered ridges fading into the distance under a sky gradient. */
function mountains({ noise, random, steps, width }: StyleContext): Field {
  const o = octaves(steps);
  const layers = 3 + Math.floor(steps / 20);
  // Ridge heights depend on x only: computed once per column, not per pixel.
  const ridges = Array.from({ length: layers }, (_, k) => {
    const offset = random() * 100;
    const heights = new Float32Array(width);
    for (let px = 0; px < width; px++) {
      heights[px] = 0.35 + (0.5 * k) / layers + 0.22 * (noise.fbm((px / width) * 3 + offset, k * 7.3, o) - 0.5);
    }
    return heights;
  });
  return (_x, y, px) => {
    for (let k = layers - 1; k >= 0; k--) {
      if (y > (ridges[k] as Float32Array)[px]!) {
        return clamp01(0.7 - (0.65 * k) / layers + 0.05 * noise.at(px * 0.05, y * 40));
      }
    }
    return 0.98 - y * 0.45;
  };
}

/** Main ripple sources in `waves`, and the most fine ripples that steps add on top of them. */
const WAVE_SOURCES = 3;
const MAX_RIPPLES = 8;

/**
 * Ripples from a few sources interfering. Steps add finer ripples (wind chop) on top: each a plane
 * wave, finer and fainter than the last, so the large rings stay the same and only detail is added.
 */
function waves({ random, steps }: StyleContext): Field {
  const sources = Array.from({ length: WAVE_SOURCES }, () => ({
    x: random(),
    y: random(),
    frequency: 4 + random() * 14,
    phase: random() * TAU,
  }));
  const count = (steps / 100) * MAX_RIPPLES;
  const ripples = Array.from({ length: Math.ceil(count) }, (_, k) => {
    const angle = random() * TAU;
    const frequency = 24 * Math.pow(1.18, k) * (0.9 + random() * 0.2);
    // Falls off slower than 1/frequency: each finer ripple adds about as much edge as the last.
    const amplitude = 0.06 * Math.pow(0.92, k) * Math.min(1, count - k);
    return { fx: Math.cos(angle) * frequency * TAU, fy: Math.sin(angle) * frequency * TAU, phase: random() * TAU, amplitude };
  });
  return (x, y) => {
    let sum = 0;
    for (const s of sources) {
      const dx = x - s.x;
      const dy = y - s.y;
      sum += Math.sin(Math.sqrt(dx * dx + dy * dy) * s.frequency * TAU + s.phase);
    }
    let chop = 0;
    for (const r of ripples) chop += r.amplitude * Math.sin(x * r.fx + y * r.fy + r.phase);
    return 0.5 + (0.45 * sum) / WAVE_SOURCES + chop;
  };
}

/** Soft organic cells: thresholded noise with glowing rims. */
function blobs({ noise, steps }: StyleContext): Field {
  const o = octaves(steps);
  const scale = 3 + steps / 20;
  return (x, y) => {
    const n = noise.fbm(x * scale, y * scale, o);
    const rim = Math.exp(-Math.pow((n - 0.5) * 14, 2));
    return clamp01(n < 0.5 ? n * 0.8 + rim * 0.5 : 0.55 + (n - 0.5) * 0.8 + rim * 0.3);
  };
}

/** Gas clouds with a scatter of stars; more steps, more stars and finer clouds. */
function nebula({ noise, random, steps }: StyleContext): Field {
  const o = octaves(steps);
  const starSeed = Math.floor(random() * 0x7fffffff);
  const starChance = 0.0004 + steps * 0.00006;
  return (x, y, px, py) => {
    let h = Math.imul(px, 73856093) ^ Math.imul(py, 19349663) ^ starSeed;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
    if (((h ^ (h >>> 15)) >>> 0) / 4294967296 < starChance) return 1;
    const cloud = noise.fbm(x * 3 + noise.fbm(x * 2, y * 2, 2), y * 3, o);
    return clamp01(Math.pow(cloud, 1.8) * 1.6);
  };
}

/** Flat geometric shapes on a plain ground, with a fine grain. */
function bauhaus({ noise, random, steps }: StyleContext): Field {
  const o = octaves(steps);
  const shapes = Array.from({ length: 3 + Math.floor(steps / 8) }, () => ({
    kind: Math.floor(random() * 3),
    x: random(),
    y: random(),
    size: 0.08 + random() * 0.25,
    value: 0.25 + random() * 0.75,
  }));
  return (x, y) => {
    let t = 0.08 + 0.1 * y;
    for (const s of shapes) {
      const dx = x - s.x;
      const dy = y - s.y;
      const inside =
        s.kind === 0
          ? dx * dx + dy * dy < s.size * s.size
          : s.kind === 1
            ? Math.abs(dx) < s.size && Math.abs(dy) < s.size * 0.6
            : dy > 0 && dy < s.size && Math.abs(dx) < s.size - dy;
      if (inside) t = s.value;
    }
    return clamp01(t + 0.08 * (noise.fbm(x * 40, y * 40, o) - 0.5));
  };
}

/** Ink bleeding in water: noise warped by noise. */
function ink({ noise, steps }: StyleContext): Field {
  const o = octaves(steps);
  return (x, y) => {
    const q = noise.fbm(x * 3, y * 3, o);
    const r = noise.fbm(x * 3 + 4 * q + 1.7, y * 3 + 4 * q + 9.2, o);
    return clamp01((r - 0.2) * 1.6);
  };
}

export const STYLES = { aurora, marble, mosaic, mountains, waves, blobs, nebula, bauhaus, ink } as const;

export type StyleId = keyof typeof STYLES;

export const STYLE_IDS = Object.keys(STYLES) as StyleId[];
