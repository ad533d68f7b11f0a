/** One server-sent event as received. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * Reads a text/event-stream with fetch (WHATWG HTML §9.2.6 parsing, enough
 * of it for the lab's streams: `event:` and one `data:` line each).
 * `next` waits for an event matching the predicate.
 */
export async function openEvents(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = "message";
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (data) events.push({ event, data: JSON.parse(data) });
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // Aborted or broken.
    }
    ended = true;
    waiters.splice(0).forEach((w) => w());
  })();
  return {
    status: res.status,
    events,
    get ended() {
      return ended;
    },
    /** The first event (from the start) of `type` that `match` accepts. */
    async next<T = unknown>(type: string, match: (data: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.event === type && match(e.data as T));
        if (found) return found.data as T;
        if (ended) throw new Error(`stream ended without a ${type} event`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${type} event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(", ")}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () => abort.abort(),
  };
}
