import type { AnyResponse } from "./http-tap";

/** The JSON error body every REST failure uses: `{"error":{"code","message"}}`. */
export interface JsonError {
  error: { code: string; message: string; limit?: number };
}

export function sendJson(res: AnyResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: AnyResponse, status: number, code: string, message: string, extra: Partial<JsonError["error"]> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message, ...extra } } satisfies JsonError, headers);
}
