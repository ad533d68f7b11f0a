import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Interceptor } from "@connectrpc/connect";

/**
 * How the lab tells its own hops from a caller who merely names them. The
 * REST gateway's calls to the services are the lab's own work, not a
 * second call of the student's, so they are not counted against the
 * student's limit; `x-lab-from: Gateway` alone cannot say so, since anyone
 * can send it. The gateway's client sends this header with a secret made
 * afresh by each lab process; the trace never shows its value (http-tap
 * redacts it), so a student cannot copy it.
 */
export const INTERNAL_HEADER = "x-lab-internal";

const secret = randomBytes(24).toString("base64url");
const secretBytes = Buffer.from(secret);

/** Adds the secret to every call of the lab's own clients. */
export const internalCallerInterceptor: Interceptor = (next) => (req) => {
  req.header.set(INTERNAL_HEADER, secret);
  return next(req);
};

/** Whether a request came from one of the lab's own clients (constant-time compare). */
export function isInternalCall(headers: IncomingHttpHeaders): boolean {
  const v = headers[INTERNAL_HEADER];
  if (typeof v !== "string" || v.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(v), secretBytes);
}
