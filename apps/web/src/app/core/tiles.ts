import { TILE_SIZE } from '@pixel-prompt/contracts';
import type { RuntimeConfig } from './runtime-config';

/**
 * An <img srcset> of an image's two WebP tiles (TILE_SIZE and twice that), URLs resolved; empty for
 * images stored before tiles existed, which have none. Its own file, out of the initial bundle:
 * only pages with results use it.
 */
export function tileSrcset(config: RuntimeConfig, tileUrl: string | undefined, tile2xUrl: string | undefined): string {
  if (!tileUrl || !tile2xUrl) return '';
  return `${config.mediaUrl(tileUrl)} ${TILE_SIZE}w, ${config.mediaUrl(tile2xUrl)} ${2 * TILE_SIZE}w`;
}
