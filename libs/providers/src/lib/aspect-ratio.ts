import type { AspectRatio } from '@pixel-prompt/contracts';

/** `16:9` as its width over its height; NaN for anything else. */
function valueOf(ratio: string): number {
  const [width, height] = ratio.split(':').map(Number);
  return width !== undefined && height !== undefined && width > 0 && height > 0 ? width / height : NaN;
}

/**
 * The ratio of `supported` (a provider's list, `W:H` strings) closest in shape to `ratio`: the
 * distance is taken on the logarithm, so 4:3 → 5:4 and 3:4 → 4:5 are judged alike.
 */
export function nearestAspectRatio(ratio: AspectRatio, supported: readonly string[]): string {
  const target = Math.log(valueOf(ratio));
  const distance = (candidate: string) => Math.abs(Math.log(valueOf(candidate)) - target);
  return supported.reduce((best, candidate) => (distance(candidate) < distance(best) ? candidate : best));
}

/**
 * Width and height of `ratio` with about the pixels of a `base` × `base` square (fewer when the long
 * side would pass `maxSide`), each a multiple of `step`: providers that take sizes want multiples of
 * 8, 16 or 32.
 */
export function dimensionsFor(ratio: AspectRatio, base: number, step: number, maxSide = Infinity): { width: number; height: number } {
  const value = valueOf(ratio);
  const scale = Math.min(base, maxSide / Math.sqrt(Math.max(value, 1 / value)));
  const round = (size: number) => Math.max(step, Math.floor(size / step) * step);
  return { width: round(scale * Math.sqrt(value)), height: round(scale / Math.sqrt(value)) };
}

/** Of several `WxH` sizes a model accepts, the one closest in shape to `ratio`. */
export function nearestSize(ratio: AspectRatio, sizes: readonly string[]): string {
  const asRatio = (size: string) => size.replace('x', ':') as AspectRatio;
  const nearest = nearestAspectRatio(ratio, sizes.map(asRatio));
  return nearest.replace(':', 'x');
}
