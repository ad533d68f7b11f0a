"use client";

import { create } from "@bufbuild/protobuf";
import { ClientCall } from "@/lib/client";
import { EventKind, HttpInfoSchema, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";

/** Response headers a lesson shows (the rest are in the wire inspector). */
export const SHOWN_HEADERS = ["etag", "location", "cache-control", "content-type", "content-length", "allow", "connection"] as const;

export interface RestOutcome {
  /** "GET /rest/users/1" plus " · If-None-Match: …" when conditional. */
  requestLine: string;
  /** The HTTP status, or "network_error" when no answer came (seed 2's url.Error). */
  status: string;
  ok: boolean;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
  responseBytes: number;
  error?: string;
  spanId: string;
}

export interface RestRequest {
  method: string;
  /** Under /rest, already resolved ("/users/1000"). */
  path: string;
  body?: unknown;
  ifNoneMatch?: string;
}

/**
 * One raw HTTP request to the REST gateway, traced like the lab client's
 * own calls (REQUEST_SENT / RESPONSE_RECEIVED, span headers), so the
 * diagram draws it from the browser. The browser's HTTP cache is bypassed
 * (`cache: "no-store"`): a 304 reaches the page as it came, instead of the
 * cache turning it back into its stored 200 (WHATWG Fetch, "HTTP-network-or-cache fetch").
 * Its RESPONSE_RECEIVED event carries the status and the SHOWN_HEADERS as
 * the browser read them, so goal checks can see e.g. `connection: close`.
 */
export async function restRequest(
  req: RestRequest,
  opts: { session: string; onEvent: (e: TraceEvent) => void; signal?: AbortSignal },
): Promise<RestOutcome> {
  const path = `/rest${req.path}`;
  const requestLine = `${req.method} ${path}${req.ifNoneMatch ? ` · If-None-Match: ${req.ifNoneMatch}` : ""}`;
  let answer: { status: number; headers: Record<string, string> } | undefined;
  const onEvent = (e: TraceEvent) => {
    if (e.kind === EventKind.RESPONSE_RECEIVED && answer) e.http = create(HttpInfoSchema, { method: req.method, path, status: answer.status, headers: answer.headers });
    opts.onEvent(e);
  };
  const c = new ClientCall({ mode: "rest", baseUrl: "", session: opts.session, onEvent }, Mode.REST, "Gateway", requestLine, { attempt: 1 });
  const text = req.body === undefined ? undefined : JSON.stringify(req.body);
  c.sent(text ? new TextEncoder().encode(text).length : 0);
  try {
    const res = await fetch(path, {
      method: req.method,
      cache: "no-store",
      headers: {
        ...c.headers(),
        ...(text ? { "content-type": "application/json" } : {}),
        ...(req.ifNoneMatch ? { "if-none-match": req.ifNoneMatch } : {}),
      },
      body: text,
      signal: opts.signal,
    });
    const raw = new Uint8Array(await res.arrayBuffer());
    c.responseBytes = raw.length;
    const headers: Record<string, string> = {};
    for (const h of SHOWN_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    const body = new TextDecoder().decode(raw);
    answer = { status: res.status, headers };
    const status = String(res.status);
    const ok = res.status < 400;
    const r = c.finish(ok, status, undefined, ok ? undefined : res.statusText);
    return { requestLine, status, ok, headers, body, latencyMs: r.latencyMs, responseBytes: raw.length, spanId: c.spanId };
  } catch (err) {
    const e = err as Error;
    const r = c.finish(false, "network_error", undefined, e.message);
    return { requestLine, status: "network_error", ok: false, headers: {}, body: "", latencyMs: r.latencyMs, responseBytes: 0, error: e.message, spanId: c.spanId };
  }
}
