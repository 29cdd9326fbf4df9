export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseRead {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Comment lines (`: heartbeat`) seen. */
  comments: number;
}

/**
 * Reads a Server-Sent Events stream as a browser would, until `until` says stop (then disconnects)
 * or the server ends the stream.
 */
export async function readSse(
  url: string,
  { lastEventId, until = () => false, timeoutMs = 60_000 }: { lastEventId?: string; until?: (read: SseRead) => boolean; timeoutMs?: number } = {},
): Promise<SseRead> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no end of stream within ${timeoutMs} ms`)), timeoutMs);
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
    signal: controller.signal,
  });
  const read: SseRead = { status: response.status, headers: response.headers, events: [], comments: 0 };
  if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    clearTimeout(timer);
    return read;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event: SseEvent = { event: 'message', data: '' };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) read.comments += 1;
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) {
            event.data += (hasData ? '\n' : '') + line.slice(6);
            hasData = true;
          }
        }
        if (hasData) read.events.push(event);
      }
      if (until(read)) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted || !until(read)) throw error;
  } finally {
    clearTimeout(timer);
  }
  return read;
}
