import { fetchImageBytes, saveBlob } from './image-files';
import type { ViewerImage } from './viewer-image';

/**
 * File names for a zip: path separators replaced (an entry must not land outside the folder it is
 * unpacked into) and repeats numbered, `a.png`, `a-2.png`, because a zip keeps only one of each name.
 */
export function uniqueFileNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const safe = name.replace(/[/\\]/g, '-') || 'image';
    const dot = safe.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
    let candidate = safe;
    for (let n = 2; used.has(candidate); n++) candidate = `${stem}-${n}${extension}`;
    used.add(candidate);
    return candidate;
  });
}

/** A zip archive holding every image under a unique name. */
export async function zipImages(images: readonly ViewerImage[]): Promise<Uint8Array> {
  // fflate is loaded only when someone zips, so it stays out of every page's own bundle.
  const [{ zipSync }, contents] = await Promise.all([import('fflate'), Promise.all(images.map(fetchImageBytes))]);
  const names = uniqueFileNames(images.map((image) => image.fileName));
  // Stored, not deflated: PNG and JPEG are compressed already, so deflate would only cost time.
  return zipSync(Object.fromEntries(names.map((name, i) => [name, contents[i]])), { level: 0 });
}

/** Fetches every image and downloads them as one zip named `zipName`; rejects if any image fails. */
export async function downloadAllAsZip(images: ViewerImage[], zipName: string): Promise<void> {
  const archive = await zipImages(images);
  saveBlob(new Blob([archive as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), zipName);
}
