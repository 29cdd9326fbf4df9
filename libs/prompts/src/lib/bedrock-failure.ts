import { ProviderError, bedrockFailure, isRecord, retryAfterSeconds, stringField } from '@pixel-prompt/providers';

/**
 * What a failed Bedrock runtime call (Converse, ApplyGuardrail) rejects with: the signal's reason when
 * it was aborted, otherwise the SDK error as a ProviderError, throttling with the wait the service
 * asked for (the SDK keeps the raw answer on the error).
 */
export function bedrockCallFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const failure = bedrockFailure(error);
  if (failure.code !== 'RATE_LIMITED' || failure.retryAfterSeconds !== undefined) return failure;
  const response = isRecord(error) ? error['$response'] : undefined;
  const headers = isRecord(response) ? response['headers'] : undefined;
  const wait = retryAfterSeconds(stringField(headers, 'retry-after'));
  return wait === undefined ? failure : new ProviderError(failure.code, failure.message, failure.retryable, wait);
}
