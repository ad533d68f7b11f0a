import type { IncomingMessage, ServerResponse } from "node:http";

/** A comment line is sent this often on a quiet stream, so proxies (nginx proxy_read_timeout 60 s) keep it open. */
export const SSE_KEEPALIVE_MS = 15_000;

/** One open server-sent event stream (WHATWG HTML §9.2). */
export interface SseStream {
  send(event: string, data: unknown): void;
  readonly closed: boolean;
  /** Called once when the client goes away or the stream is ended. */
  onClose(fn: () => void): void;
  end(): void;
}

/**
 * Answers a request with an event stream: `text/event-stream`, no caching,
 * no proxy buffering (`X-Accel-Buffering: no` for nginx), a keep-alive
 * comment every 15 s. The browser's EventSource reconnects by itself
 * (after `retry` ms) when the stream breaks, e.g. while the lab restarts.
 */
export function openSse(req: IncomingMessage, res: ServerResponse, retryMs = 2_000): SseStream {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
    connection: "keep-alive",
  });
  res.socket?.setNoDelay(true);
  res.write(`retry: ${retryMs}\n\n`);
  let closed = false;
  const closers: Array<() => void> = [];
  const keepalive = setInterval(() => res.write(": keep-alive\n\n"), SSE_KEEPALIVE_MS);
  keepalive.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    for (const fn of closers) fn();
  };
  req.once("close", close);
  res.once("close", close);
  return {
    send(event, data) {
      if (closed) return;
      // JSON has no raw line breaks, so one data line carries it.
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    end() {
      close();
      res.end();
    },
  };
}
