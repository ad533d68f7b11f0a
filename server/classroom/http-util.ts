import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { sendError } from "../http/json-response";
import { BodyError, readJsonBody } from "../http/read-body";
import { ClassError } from "./classroom";
import { retryAfterHeader, type RateRefusal } from "./rate-limit";

/** Largest body of a classroom request (a batch of 50 reports is about 5 KiB). */
export const CLASS_BODY_BYTES = 32 * 1024;

/** The first problem zod found, with where: "reports.0.step: step must be …". */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const where = issue.path.map(String).join(".");
  return where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message;
}

/** Reads and checks a JSON body; throws ClassError 400/413/415 naming the problem. */
export async function readBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await readJsonBody(req, CLASS_BODY_BYTES);
  } catch (err) {
    if (err instanceof BodyError) throw new ClassError(err.status, err.code, err.message);
    throw err;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ClassError(400, "invalid_argument", zodMessage(parsed.error));
  return parsed.data;
}

/** Answers an error: a ClassError as it says, anything else as 500 (and logged). */
export function sendFailure(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof ClassError) return sendError(res, err.status, err.code, err.message);
  console.error("wirelab classroom:", err);
  sendError(res, 500, "internal", "the classroom failed on this request; see the lab's log");
}

/** 429 with Retry-After (RFC 6585 §4; RFC 9110 §10.2.3) and the limit named in the JSON body; `also` is added to the message. */
export function sendTooMany(res: ServerResponse, r: RateRefusal, also?: string): void {
  sendError(res, 429, "resource_exhausted", also ? `${r.message}; ${also}` : r.message, { limit: r.limit }, { "retry-after": retryAfterHeader(r) });
}

/** The origin the teacher's page was served from (behind a proxy: X-Forwarded-Proto and -Host). */
export function requestOrigin(req: IncomingMessage): string {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(",")[0].trim();
  const proto = first(req.headers["x-forwarded-proto"]) ?? "http";
  const host = first(req.headers["x-forwarded-host"]) ?? req.headers.host ?? "localhost";
  return `${proto === "https" ? "https" : "http"}://${host}`;
}
