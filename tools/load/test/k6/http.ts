// k6/http for the script-logic test: asyncRequest over fetch, answering as k6 does (headers in Go's
// canonical form, the body as text), and recording every request for the test's assertions.

export interface SentRequest {
  method: string;
  url: string;
  tags: Record<string, string>;
  status: number;
}

export const sent: SentRequest[] = [];

/** `ratelimit-policy` → `Ratelimit-Policy`, as Go's net/http names headers. */
function canonical(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

async function asyncRequest(method: string, url: string, body: string | null, params: { headers?: Record<string, string>; tags?: Record<string, string> } = {}) {
  const res = await fetch(url, { method, headers: params.headers, body: body ?? undefined });
  const text = await res.text();
  sent.push({ method, url, tags: params.tags ?? {}, status: res.status });
  return { status: res.status, headers: Object.fromEntries([...res.headers].map(([k, v]) => [canonical(k), v])), body: text, json: () => JSON.parse(text) as unknown };
}

export default { asyncRequest };
