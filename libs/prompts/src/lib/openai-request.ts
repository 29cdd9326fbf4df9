import { errorBody, errorForStatus, openAiFailure, providerFetch, readJson } from '@pixel-prompt/providers';

/**
 * POSTs `body` as JSON to an OpenAI API endpoint with the bearer key and returns the parsed answer;
 * failures are mapped as every OpenAI adapter maps them (401/403 AUTH, 429 with Retry-After, 5xx).
 */
export async function postOpenAiJson(label: string, url: string, apiKey: string, body: unknown, signal: AbortSignal): Promise<unknown> {
  const response = await providerFetch(
    label,
    url,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    },
    signal,
  );
  if (!response.ok) {
    throw errorForStatus(label, response.status, openAiFailure(await errorBody(response, signal)), response.headers.get('retry-after'));
  }
  return readJson(label, response, signal);
}
