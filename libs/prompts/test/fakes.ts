import { ProviderError } from '@pixel-prompt/providers';
import { type FakeProviderServer, json, quiet, rejectionOf } from '@pixel-prompt/testing';

/** The ProviderError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export const failure = (promise: Promise<unknown>): Promise<ProviderError> => rejectionOf(promise, ProviderError);

type BedrockFailure = readonly [type: string, status: number, code: string, retryable: boolean, retryAfter: number | undefined];

/** Bedrock runtime errors as the service sends them (restJson1: the type in a header), and what each maps to. */
export const BEDROCK_FAILURES: readonly BedrockFailure[] = [
  ['UnrecognizedClientException', 403, 'AUTH', false, undefined],
  ['AccessDeniedException', 403, 'AUTH', false, undefined],
  ['ResourceNotFoundException', 404, 'PROVIDER_ERROR', false, undefined],
  // Only throttling carries the wait; the header is sent with every case to prove that.
  ['ThrottlingException', 429, 'RATE_LIMITED', true, 5],
  ['InternalServerException', 500, 'PROVIDER_ERROR', true, undefined],
  ['ServiceUnavailableException', 503, 'PROVIDER_ERROR', true, undefined],
];

/**
 * Answers `call` with one of BEDROCK_FAILURES (its message quoting `secret`) and checks the mapping,
 * that the secret stays out of the error, and that the SDK made one attempt: a user is waiting, so it
 * must not retry behind the caller's timeout.
 */
export async function expectBedrockFailureMapped(
  server: FakeProviderServer,
  call: (signal: AbortSignal) => Promise<unknown>,
  [type, status, code, retryable, retryAfter]: BedrockFailure,
  secret: string,
): Promise<void> {
  server.handle((_req, res) =>
    json(res, status, { message: `failed for ${secret}` }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'retry-after': '5' }),
  );
  const error = await failure(call(quiet()));
  expect(error).toMatchObject({ code, retryable });
  expect(error.retryAfterSeconds).toBe(retryAfter);
  expect(error.message).not.toContain(secret);
  expect(server.requests).toHaveLength(1);
}
