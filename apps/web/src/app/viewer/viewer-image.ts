/** One image as the viewer, the compare view and the zip download see it; URLs are ready to use. */
export interface ViewerImage {
  /** Full-size image URL (already resolved with RuntimeConfig.mediaUrl). */
  url: string;
  /** Small preview URL, shown first and while the full image loads. */
  thumbnailUrl: string;
  /** The model's display name: the image's caption and alt text. */
  title: string;
  /** File name used when downloading, without directory: `aurora.png`. */
  fileName: string;
}
