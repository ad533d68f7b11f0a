import type { AnyRequest } from "./http-tap";

/** Why a body could not be read, with the HTTP status to answer (RFC 9110 §15.5). */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON request body of at most `maxBytes`: 415 when it is not
 * `application/json`, 413 as soon as it grows past the limit (the rest is
 * not buffered), 400 when it does not parse.
 */
export async function readJsonBody(req: AnyRequest, maxBytes: number): Promise<unknown> {
  const type = String(req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new BodyError(415, "unsupported_media_type", `Content-Type must be application/json, got ${JSON.stringify(type || "(none)")}`);
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    throw new BodyError(413, "payload_too_large", `body of ${declared} bytes is over the limit of ${maxBytes} bytes (MAX_BODY_BYTES)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new BodyError(413, "payload_too_large", `body is over the limit of ${maxBytes} bytes (MAX_BODY_BYTES)`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, "malformed_json", `body is not valid JSON: ${(err as Error).message}`);
  }
}
