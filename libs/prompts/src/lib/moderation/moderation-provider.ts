/** A hosted classifier's verdict on one text; `categories` name what it flagged, for the logs. */
export type ModerationVerdict = { readonly flagged: false } | { readonly flagged: true; readonly categories: readonly string[] };

export const NOT_FLAGGED: ModerationVerdict = Object.freeze({ flagged: false });

/**
 * The optional hosted moderation stage, after the word-list filter: a service that judges a text in
 * context. `moderate` rejects (a ProviderError, or the signal's reason) when the service cannot give
 * a verdict; the caller refuses the request then (fails closed), it never lets the text through.
 */
export interface ModerationProvider {
  /** The provider's name, as the metrics label it. */
  readonly name: string;
  moderate(text: string, signal: AbortSignal): Promise<ModerationVerdict>;
}

/** Injection token of the configured ModerationProvider, or null when MODERATION=off. */
export const MODERATION_PROVIDER = Symbol('MODERATION_PROVIDER');
