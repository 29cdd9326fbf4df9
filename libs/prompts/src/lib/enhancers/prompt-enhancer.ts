/**
 * Turns a short prompt into a richer one. Implementations may call an LLM, so the call is async and
 * cancellable; the prompt has already been validated (trimmed, 1-500 characters) by the caller.
 * Failures reject (LLM enhancers with a ProviderError); the caller never passes the original
 * off as enhanced.
 */
export interface PromptEnhancer {
  enhance(prompt: string, signal: AbortSignal): Promise<string>;
}

/** Injection token of the configured PromptEnhancer (see enhancer-factory.ts). */
export const PROMPT_ENHANCER = Symbol('PROMPT_ENHANCER');
