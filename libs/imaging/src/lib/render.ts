import { makePalette } from './palette';
import { downscale, encodePng } from './png';
import { Noise, hash, prng } from './random';
import { STYLES, STYLE_IDS, type StyleId } from './styles';

export interface RenderRequest {
  style: StyleId;
  prompt: string;
  seed: number;
  /** 1-100: detail. */
  steps: number;
  /** 0-20: contrast and saturation. */
  guidance: number;
  width: number;
  height: number;
  /** Longest side of the thumbnail. */
  thumbnailSize: number;
}

export interface RenderedImage {
  image: Uint8Array;
  thumbnail: Uint8Array;
  mimeType: 'image/png';
  width: number;
  height: number;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

function validate(r: RenderRequest): void {
  check((STYLE_IDS as string[]).includes(r.style), `unknown style "${r.style}"`);
  for (const [name, value] of [['width', r.width], ['height', r.height]] as const) {
    check(Number.isInteger(value) && value >= 16 && value <= 2048, `${name} must be a whole number from 16 to 2048`);
  }
  check(Number.isInteger(r.thumbnailSize) && r.thumbnailSize >= 8 && r.thumbnailSize <= 1024, 'thumbnailSize must be a whole number from 8 to 1024');
  check(Number.isInteger(r.steps) && r.steps >= 1 && r.steps <= 100, 'steps must be a whole number from 1 to 100');
  check(Number.isFinite(r.guidance) && r.guidance >= 0 && r.guidance <= 20, 'guidance must be from 0 to 20');
  check(Number.isSafeInteger(r.seed), 'seed must be a whole number');
}

/**
 * Renders one built-in model's image: deterministic (the same request gives byte-identical PNGs) and
 * driven by every parameter. The prompt and seed choose palette and composition, colour words in
 * the prompt steer the hues, steps add detail, guidance adds contrast and saturation.
 */
export function renderImage(request: RenderRequest): RenderedImage {
  validate(request);
  const { style, seed, steps, guidance, width, height } = request;
  const prompt = request.prompt.trim().replace(/\s+/g, ' ').toLowerCase();
  const random = prng(hash(`${style}|${prompt}|${seed}`) % 4294967296);
  const noise = new Noise(random);
  const palette = makePalette(prompt, random, guidance);
  const field = STYLES[style]({ noise, random, steps, width, height });

  // The palette as a 1024-entry lookup table: no allocation per pixel.
  const lut = new Uint8Array(1024 * 3);
  for (let i = 0; i < 1024; i++) lut.set(palette.at(i / 1023).map(Math.round), i * 3);

  const rgb = new Uint8Array(width * height * 3);
  for (let py = 0; py < height; py++) {
    const y = py / height;
    for (let px = 0; px < width; px++) {
      const t = field(px / width, y, px, py);
      const entry = Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * 1023) * 3;
      const o = (py * width + px) * 3;
      rgb[o] = lut[entry] as number;
      rgb[o + 1] = lut[entry + 1] as number;
      rgb[o + 2] = lut[entry + 2] as number;
    }
  }
  const thumb = downscale(rgb, width, height, request.thumbnailSize);
  return {
    image: encodePng(rgb, width, height),
    thumbnail: encodePng(thumb.rgb, thumb.width, thumb.height),
    mimeType: 'image/png',
    width,
    height,
    thumbnailWidth: thumb.width,
    thumbnailHeight: thumb.height,
  };
}
