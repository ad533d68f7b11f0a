import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AnyRequest } from "../http/http-tap";
import { writeFileDurably } from "./store";

/** The cookie that carries a teacher's login (an HMAC of the token, never the token itself). */
export const TEACHER_COOKIE = "wl_teacher";
/** Where a generated token is kept, so it survives restarts (DATA_DIR/teacher-token). */
export const TOKEN_FILE = "teacher-token";
/** A teacher's login lasts 12 hours (a school day), then the token is asked again. */
const COOKIE_MAX_AGE_S = 12 * 60 * 60;

/** Equal-length digests compared in constant time, so the time taken tells nothing about the token. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The teacher's token: TEACHER_TOKEN, or one generated on first start and
 * kept in DATA_DIR/teacher-token (mode 0600) so a restart in the middle of
 * a class keeps the teacher logged in.
 */
export function teacherToken(configured: string | undefined, dataDir: string): { token: string; generated: boolean; file?: string } {
  if (configured) return { token: configured, generated: false };
  const file = path.join(dataDir, TOKEN_FILE);
  try {
    const kept = readFileSync(file, "utf8").trim();
    if (kept.length >= 16) return { token: kept, generated: true, file };
  } catch {
    // None yet.
  }
  const token = randomBytes(15).toString("base64url");
  writeFileDurably(file, token + "\n");
  return { token, generated: true, file };
}

/**
 * Who is a teacher: a request with `Authorization: Bearer <token>` (curl,
 * scripts) or the login cookie the /teach page got for the token. Every
 * comparison is constant-time.
 */
export class TeacherAuth {
  private readonly cookieSecret: string;

  constructor(private readonly token: string) {
    this.cookieSecret = createHmac("sha256", token).update("wirelab teacher cookie v1").digest("base64url");
  }

  /** Whether `given` is the token. */
  matches(given: string): boolean {
    return sameSecret(given, this.token);
  }

  isTeacher(req: AnyRequest): boolean {
    const auth = req.headers.authorization;
    if (typeof auth === "string" && /^Bearer /i.test(auth)) return this.matches(auth.slice(7).trim());
    const cookie = cookieValue(req.headers.cookie, TEACHER_COOKIE);
    return cookie !== undefined && sameSecret(cookie, this.cookieSecret);
  }

  /** Set-Cookie for a teacher who gave the token (HttpOnly, SameSite=Strict; Secure behind HTTPS). */
  loginCookie(secure: boolean): string {
    return `${TEACHER_COOKIE}=${this.cookieSecret}; Path=/; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  logoutCookie(): string {
    return `${TEACHER_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
  }
}
