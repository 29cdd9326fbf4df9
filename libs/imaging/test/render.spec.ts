import { type RenderRequest, STYLE_IDS, renderImage } from '../src';
import { decodePng, stats } from './png-decode';

const base = (style: RenderRequest['style'], extra: Partial<RenderRequest> = {}): RenderRequest => ({
  style,
  prompt: 'a lighthouse on a cliff',
  seed: 42,
  steps: 25,
  guidance: 7,
  width: 128,
  height: 128,
  thumbnailSize: 32,
  ...extra,
});

const pixels = (request: RenderRequest) => decodePng(renderImage(request).image);

describe('renderImage', () => {
  it('writes valid PNGs of the requested size, with a thumbnail whose longest side is thumbnailSize', () => {
    const square = renderImage(base('aurora', { width: 1024, height: 1024, thumbnailSize: 256 }));
    expect(decodePng(square.image)).toMatchObject({ width: 1024, height: 1024 });
    expect(decodePng(square.thumbnail)).toMatchObject({ width: 256, height: 256 });
    expect(square).toMatchObject({ mimeType: 'image/png', width: 1024, height: 1024, thumbnailWidth: 256, thumbnailHeight: 256 });
    const wide = renderImage(base('mosaic', { width: 1024, height: 512, thumbnailSize: 256 }));
    expect(decodePng(wide.thumbnail)).toMatchObject({ width: 256, height: 128 });
  });

  it.each(STYLE_IDS)('%s is deterministic: the same request gives the same bytes', (style) => {
    expect(Buffer.compare(renderImage(base(style)).image, renderImage(base(style)).image)).toBe(0);
  });

  it('gives nine different images for the same request', () => {
    const images = STYLE_IDS.map((style) => Buffer.from(renderImage(base(style)).image).toString('base64'));
    expect(new Set(images).size).toBe(9);
  });

  it.each(STYLE_IDS)('%s changes with the prompt, the seed, the steps and the guidance', (style) => {
    const reference = Buffer.from(renderImage(base(style)).image);
    for (const change of [{ prompt: 'a field of flowers' }, { seed: 43 }, { steps: 60 }, { guidance: 15 }]) {
      expect({ change, same: Buffer.compare(reference, renderImage(base(style, change)).image) === 0 }).toEqual({ change, same: false });
    }
  });

  it.each(STYLE_IDS)('%s: more guidance gives more saturated colours', (style) => {
    const low = stats(pixels(base(style, { guidance: 2 })));
    const high = stats(pixels(base(style, { guidance: 16 })));
    expect(high.chroma).toBeGreaterThan(low.chroma * 1.5);
  });

  it.each(STYLE_IDS)('%s: more steps give more fine detail', (style) => {
    const few = stats(pixels(base(style, { steps: 3, width: 256, height: 256 })));
    const many = stats(pixels(base(style, { steps: 90, width: 256, height: 256 })));
    expect(many.detail).toBeGreaterThan(few.detail);
  });

  it.each(STYLE_IDS)('%s: colour words in the prompt steer the palette', (style) => {
    const blue = stats(pixels(base(style, { prompt: 'a deep blue ocean', guidance: 12 })));
    const red = stats(pixels(base(style, { prompt: 'a red fire', guidance: 12 })));
    const green = stats(pixels(base(style, { prompt: 'a green forest', guidance: 12 })));
    expect(blue.blue).toBeGreaterThan(blue.red);
    expect(red.red).toBeGreaterThan(red.blue);
    expect(green.green).toBeGreaterThan(green.red);
  });

  it.each([
    [{ width: 8 }, 'width must be a whole number from 16 to 2048'],
    [{ height: 4096 }, 'height must be a whole number from 16 to 2048'],
    [{ steps: 0 }, 'steps must be a whole number from 1 to 100'],
    [{ steps: 2.5 }, 'steps must be a whole number from 1 to 100'],
    [{ guidance: 21 }, 'guidance must be from 0 to 20'],
    [{ seed: 1.5 }, 'seed must be a whole number'],
    [{ style: 'cubism' as RenderRequest['style'] }, 'unknown style "cubism"'],
  ])('refuses %j', (change, message) => {
    expect(() => renderImage(base('aurora', change))).toThrow(new RangeError(message));
  });
});
