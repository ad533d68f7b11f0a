import { z } from "zod";
import type { Locale } from "../lessons/types";

/**
 * The classroom's contract between browser and server: what a student
 * sends (join, resume, progress), what the teacher's dashboard receives,
 * and every limit, named so that each refusal can say which one it hit.
 * Shared by the server (validation), the pages and the lesson helper
 * (lib/classroom/report-progress.ts). No DOM, no Node.
 */

/** Limits of what a student may send, named in every refusal. */
export const PROGRESS_LIMITS = {
  /** A lesson slug: its folder name, "06-timeouts-and-deadlines". */
  lessonChars: 64,
  /** A step id, when a lesson names its steps instead of numbering them. */
  stepIdChars: 40,
  /** Largest step index (0-based). */
  stepIndexMax: 999,
  /** How far ahead of the server's clock a report's atUnixMs may be. */
  clockSkewMs: 5 * 60_000,
  /** How old a report may be (kept offline in the browser, sent later). */
  maxAgeMs: 7 * 24 * 60 * 60_000,
  /** Reports in one POST. */
  batchMax: 50,
  /** Distinct (lesson, step) pairs one student may have. */
  stepsPerStudent: 2_000,
} as const;

/** Limits of rooms, names and messages. */
export const ROOM_LIMITS = {
  roomNameChars: 60,
  displayNameChars: 40,
  messageChars: 280,
  /** Messages a room keeps (the newest). */
  messagesKept: 20,
  /** Drill length in minutes (a fault rule lives at most FAULT_LIMITS.durationMs). */
  drillMinutesMax: 10,
} as const;

/** Alphabet of room and resume codes: no 0/O, 1/I/L, so a code read off a projector is typed right. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/** Room codes: 6 characters (31^6 ≈ 887 million). */
export const ROOM_CODE_LENGTH = 6;
/** Resume codes: 10 characters shown as XXXXX-XXXXX (31^10 ≈ 8·10^14). */
export const RESUME_CODE_LENGTH = 10;

/** A room code as typed: case, spaces and dashes do not matter. */
export function normaliseCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

/** "ABCDE-FGHJK" for a 10-character resume code. */
export function formatResumeCode(code: string): string {
  return code.length === RESUME_CODE_LENGTH ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}

const codeOf = (length: number, what: string) =>
  z
    .string()
    .transform(normaliseCode)
    .refine((c) => c.length === length && [...c].every((ch) => CODE_ALPHABET.includes(ch)), {
      message: `${what} is ${length} letters and digits (no 0, O, 1, I or L)`,
    });

/** A display name: letters (any script), digits, spaces and . _ ' -, trimmed. */
export const displayNameSchema = z
  .string()
  .transform((s) => s.normalize("NFC").trim().replace(/\s+/g, " "))
  .refine((s) => s.length >= 1, { message: "name is empty: type the name the teacher should see" })
  .refine((s) => s.length <= ROOM_LIMITS.displayNameChars, {
    message: `name is longer than ${ROOM_LIMITS.displayNameChars} characters (ROOM_LIMITS.displayNameChars)`,
  })
  .refine((s) => /^[\p{L}\p{M}\p{N} ._'-]+$/u.test(s), { message: "name may hold letters, digits, spaces and . _ ' - only" });

export const joinRequestSchema = z.object({
  code: codeOf(ROOM_CODE_LENGTH, "a room code"),
  name: displayNameSchema,
});
export type JoinRequest = z.input<typeof joinRequestSchema>;

export const resumeRequestSchema = z.object({ resumeCode: codeOf(RESUME_CODE_LENGTH, "a resume code") });
export type ResumeRequest = z.input<typeof resumeRequestSchema>;

export const createRoomSchema = z.object({
  name: z
    .string()
    .transform((s) => s.trim().replace(/\s+/g, " "))
    .refine((s) => s.length >= 1 && s.length <= ROOM_LIMITS.roomNameChars, {
      message: `a room name is 1–${ROOM_LIMITS.roomNameChars} characters (ROOM_LIMITS.roomNameChars)`,
    }),
});

export const broadcastSchema = z.object({
  text: z
    .string()
    .transform((s) => s.trim())
    .refine((s) => s.length >= 1 && s.length <= ROOM_LIMITS.messageChars, {
      message: `a message is 1–${ROOM_LIMITS.messageChars} characters (ROOM_LIMITS.messageChars)`,
    }),
});

export const drillRequestSchema = z.object({
  /** A preset id of lib/faults/catalog.ts FAULT_PRESETS ("broker-outage"). */
  preset: z.string().min(1).max(40),
  minutes: z
    .number({ message: "minutes must be a number" })
    .refine((m) => Number.isFinite(m) && m > 0 && m <= ROOM_LIMITS.drillMinutesMax, {
      message: `a drill lasts more than 0 and at most ${ROOM_LIMITS.drillMinutesMax} minutes (ROOM_LIMITS.drillMinutesMax)`,
    }),
});

const LESSON_SLUG = /^[a-z0-9][a-z0-9-]*$/;
const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * One progress report: a goal check of a lesson step ran and passed or
 * not. `step` is the step's 0-based index in the lesson's steps, or its id.
 * `atUnixMs` is when the check ran in the browser (it may be sent later).
 */
export const progressReportSchema = z.object({
  lesson: z
    .string({ message: "lesson must be a string: the lesson's folder slug" })
    .refine((s) => s.length >= 1 && s.length <= PROGRESS_LIMITS.lessonChars && LESSON_SLUG.test(s), {
      message: `lesson must be a lesson slug of 1–${PROGRESS_LIMITS.lessonChars} lowercase letters, digits and dashes (PROGRESS_LIMITS.lessonChars)`,
    }),
  step: z.custom<number | string>(
    (v) =>
      (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= PROGRESS_LIMITS.stepIndexMax) ||
      (typeof v === "string" && v.length >= 1 && v.length <= PROGRESS_LIMITS.stepIdChars && STEP_ID.test(v)),
    {
      message: `step must be a 0-based index 0–${PROGRESS_LIMITS.stepIndexMax} (PROGRESS_LIMITS.stepIndexMax) or an id of 1–${PROGRESS_LIMITS.stepIdChars} letters, digits, _ and - (PROGRESS_LIMITS.stepIdChars)`,
    },
  ),
  passed: z.boolean({ message: "passed must be true or false" }),
  atUnixMs: z.number({ message: "atUnixMs must be a number: milliseconds since the Unix epoch" }).refine(Number.isFinite, {
    message: "atUnixMs must be a finite number",
  }),
});
export type ProgressReport = z.infer<typeof progressReportSchema>;

const batchSchema = z.object({
  reports: z
    .array(progressReportSchema, { message: "reports must be an array of reports" })
    .refine((r) => r.length >= 1 && r.length <= PROGRESS_LIMITS.batchMax, {
      message: `reports holds 1–${PROGRESS_LIMITS.batchMax} reports (PROGRESS_LIMITS.batchMax)`,
    }),
});

/**
 * A POST body: one report, or `{reports: [...]}` with up to
 * PROGRESS_LIMITS.batchMax; always given back as a list.
 */
export const progressBodySchema = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
    message: 'the body must be a JSON object: one report, or {"reports": [...]}',
  })
  .pipe(
    z.custom<Record<string, unknown>>().transform((body, ctx): ProgressReport[] => {
      const parsed = "reports" in body ? batchSchema.safeParse(body) : progressReportSchema.safeParse(body);
      if (parsed.success) return "reports" in parsed.data ? parsed.data.reports : [parsed.data];
      for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: body } as never);
      return z.NEVER;
    }),
  );

/** Why a report's time is refused, or undefined when it is within the limits. */
export function reportTimeError(atUnixMs: number, nowMs: number): string | undefined {
  if (atUnixMs > nowMs + PROGRESS_LIMITS.clockSkewMs) {
    return `atUnixMs is ${Math.round((atUnixMs - nowMs) / 1000)} s ahead of the server's clock (PROGRESS_LIMITS.clockSkewMs is ${PROGRESS_LIMITS.clockSkewMs / 1000} s): check the computer's clock`;
  }
  if (atUnixMs < nowMs - PROGRESS_LIMITS.maxAgeMs) {
    return `atUnixMs is older than ${PROGRESS_LIMITS.maxAgeMs / 86_400_000} days (PROGRESS_LIMITS.maxAgeMs)`;
  }
  return undefined;
}

/** A step's key, unique per lesson: "i3" for index 3, "sintro" for the id "intro" (also safe in an MQTT topic level). */
export function stepKey(step: number | string): string {
  return typeof step === "number" ? `i${step}` : `s${step}`;
}

/** How the dashboard names a step: index 2 is "step 3" (第 3 步); an id is shown as it is. */
export function stepLabel(step: number | string, locale: Locale = "en"): string {
  if (typeof step !== "number") return step;
  return locale === "en" ? `step ${step + 1}` : `第 ${step + 1} 步`;
}

/** Orders steps: indices first, ascending, then ids alphabetically. */
export function compareSteps(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a.localeCompare(b);
}

// What the teacher's dashboard receives.

/** One step of one student: passed at least once, and the latest result. */
export interface ProgressEntry {
  lesson: string;
  step: number | string;
  /** The step's check passed at least once. */
  passed: boolean;
  /** When it first passed (browser clock); 0 if never. */
  passedAtMs: number;
  /** The latest report's result and time. */
  lastPassed: boolean;
  lastAtMs: number;
  /** Reports received for this step. */
  reports: number;
}

export interface DrillInfo {
  id: string;
  preset: string;
  title: string;
  startedAtMs: number;
  untilMs: number;
}

export interface RoomMessage {
  id: string;
  text: string;
  atMs: number;
}

/** A room as the teacher sees it in the list and on the dashboard. */
export interface RoomInfo {
  id: string;
  code: string;
  name: string;
  createdAtMs: number;
  /** 0 while open. */
  closedAtMs: number;
  /** The running drill, if any (a drill past its end is left out). */
  drill: DrillInfo | null;
  messages: RoomMessage[];
  /** Where students join: `<origin>/join?code=<code>`. */
  joinUrl: string;
  students: number;
  online: number;
}

/** One student on the dashboard. */
export interface StudentRow {
  id: string;
  name: string;
  joinedAtMs: number;
  /** 0 unless the student left (they can resume with their code). */
  leftAtMs: number;
  resumeCode: string;
  progress: ProgressEntry[];
}

/** Whether a student is here now, and when they last did something (a call, an MQTT message, a report). */
export interface PresenceInfo {
  id: string;
  online: boolean;
  lastActivityMs: number;
}

/** The dashboard's live feed (server-sent events on /rest/teach/rooms/<id>/events). */
export type DashboardEvent =
  | { type: "snapshot"; room: RoomInfo; students: StudentRow[]; presence: PresenceInfo[]; serverNowMs: number }
  | { type: "room"; room: RoomInfo }
  | { type: "students"; students: StudentRow[] }
  | { type: "presence"; presence: PresenceInfo[] };

/** What a student's own page knows about their room (GET /rest/class/me and the `state` event of /rest/class/events). */
export interface StudentState {
  student: { id: string; name: string; resumeCode: string; joinedAtMs: number };
  room: { code: string; name: string; closed: boolean; drill: DrillInfo | null; messages: RoomMessage[] };
  serverNowMs: number;
}

/** The JSON body of every classroom refusal (like the lab's other REST errors). */
export interface ClassErrorBody {
  error: { code: string; message: string; limit?: number };
}

/** Per-student and per-lab rate limits, named in every 429. */
export interface RateLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many may come at once. */
  burst: number;
}

export const CLASS_RATE_LIMITS = {
  /** Lab calls (REST, Connect, gRPC-web, gRPC, MQTT request/reply) of one student; STUDENT_CALLS_PER_SECOND sets the rate. */
  calls: { perSecond: 100, burst: 200 },
  /** Load runs one student may start (the lab's load-run feature asks before each run). */
  runs: { perSecond: 1 / 10, burst: 3 },
  /** Joins and resumes from one browser session. */
  joins: { perSecond: 1 / 6, burst: 10 },
  /** Failed joins and resumes (unknown code) across the whole lab: guessing codes is slow. */
  failedJoins: { perSecond: 20, burst: 50 },
  /** Progress reports of one student (each report of a batch counts). */
  progress: { perSecond: 2, burst: 60 },
  /** Failed teacher logins across the whole lab. */
  teacherLogins: { perSecond: 1, burst: 10 },
} as const satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof CLASS_RATE_LIMITS;
