import { TILE_SIZE } from '@pixel-prompt/contracts';
import sharp from 'sharp';

/** WebP quality of the tiles: at card size the difference to the full image is not visible. */
const TILE_QUALITY = 78;

/**
 * libwebp's encoding effort (0-6, sharp's default 4): at 2 the two tiles of a 1024² image take about
 * two thirds of the CPU for files about 4% larger; a job's nine images share two cores with their
 * renders (docs/PERFORMANCE.md).
 */
const TILE_EFFORT = 2;

/** The card-sized versions of one image: fit inside TILE_SIZE and twice that, as WebP. */
export interface Tiles {
  tile: Uint8Array;
  tile2x: Uint8Array;
}

/**
 * Makes an image's tiles when it is stored, for built-in and hosted models alike: a results grid
 * then loads a few dozen KB per card instead of the full image. The image (already checked to be
 * one) is decoded once into pixels both tiles are made from: cloned sharp pipelines would each decode
 * it again, a fifth of the tiles' CPU for a 1024² PNG. Never enlarged; EXIF orientation applied, as
 * browsers do for the full image. sharp works on libuv's thread pool, so the event loop keeps
 * renewing Bull's locks.
 */
export async function makeTiles(image: Uint8Array): Promise<Tiles> {
  const { data, info } = await sharp(image).rotate().raw().toBuffer({ resolveWithObject: true });
  const pixels = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const [tile, tile2x] = await Promise.all(
    [TILE_SIZE, TILE_SIZE * 2].map((size) =>
      sharp(data, pixels).resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: TILE_QUALITY, effort: TILE_EFFORT }).toBuffer(),
    ),
  );
  return { tile: new Uint8Array(tile), tile2x: new Uint8Array(tile2x) };
}
