import { TILE_SIZE } from '@pixel-prompt/contracts';
import sharp from 'sharp';

/** WebP quality of the tiles: at card size the difference to the full image is not visible. */
const TILE_QUALITY = 78;

/** The card-sized versions of one image: fit inside TILE_SIZE and twice that, as WebP. */
export interface Tiles {
  tile: Uint8Array;
  tile2x: Uint8Array;
}

/**
 * Makes an image's tiles when it is stored, for built-in and hosted models alike: a results grid
 * then loads a few dozen KB per card instead of the full image. The image is decoded once (it was
 * already checked to be an image); never enlarged; EXIF orientation applied, as browsers do for the
 * full image. sharp works on libuv's thread pool, so the event loop keeps renewing Bull's locks.
 */
export async function makeTiles(image: Uint8Array): Promise<Tiles> {
  const source = sharp(image).rotate();
  const [tile, tile2x] = await Promise.all(
    [TILE_SIZE, TILE_SIZE * 2].map((size) =>
      source.clone().resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: TILE_QUALITY }).toBuffer(),
    ),
  );
  return { tile: new Uint8Array(tile), tile2x: new Uint8Array(tile2x) };
}
