import { LAB_HEADERS } from "../../lib/trace";
import { newSessionId, SESSION_ID } from "../sandbox/sandbox";
import type { AnyRequest } from "./http-tap";

/** The cookie that carries a browser's session. */
export const SESSION_COOKIE = "wl_session";
/** The sandbox every request without a session shares (a quick `curl` with no header). */
export const PUBLIC_SESSION = "public00";

export type SessionLookup =
  | { ok: true; session: string; source: "header" | "cookie" | "public" }
  | { ok: false; error: string };

/**
 * Which session a request belongs to: the `x-lab-session` header (how
 * tools join a learner's session), else the browser's cookie, else the
 * shared public sandbox.
 */
export function sessionOf(req: AnyRequest): SessionLookup {
  const header = req.headers[LAB_HEADERS.session];
  if (typeof header === "string" && header !== "") {
    if (!SESSION_ID.test(header)) {
      return { ok: false, error: `${LAB_HEADERS.session} must be 8–32 lowercase letters or digits, got ${JSON.stringify(header.slice(0, 40))}` };
    }
    return { ok: true, session: header, source: "header" };
  }
  const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (cookie !== undefined && SESSION_ID.test(cookie)) return { ok: true, session: cookie, source: "cookie" };
  return { ok: true, session: PUBLIC_SESSION, source: "public" };
}

/** A Set-Cookie value for a new browser session (30 days; RFC 6265 §4.1). */
export function newSessionCookie(): { session: string; setCookie: string } {
  const session = newSessionId();
  return { session, setCookie: sessionCookie(session) };
}

/** A Set-Cookie value that puts a browser in `session` (a classroom resume does). */
export function sessionCookie(session: string): string {
  return `${SESSION_COOKIE}=${session}; Path=/; Max-Age=2592000; SameSite=Lax; HttpOnly`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
