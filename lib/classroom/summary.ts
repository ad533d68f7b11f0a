import { compareSteps, stepKey, stepLabel, type PresenceInfo, type ProgressEntry, type StudentRow } from "./contract";

/**
 * What the dashboard and the CSV export derive from the students' rows:
 * where each student is, and the class's tally per step. Pure functions.
 */

/** The step a student reported on last, or undefined before any report. */
export function currentStep(row: StudentRow): ProgressEntry | undefined {
  let latest: ProgressEntry | undefined;
  for (const p of row.progress) if (!latest || p.lastAtMs > latest.lastAtMs) latest = p;
  return latest;
}

export interface StepSummary {
  lesson: string;
  step: number | string;
  label: string;
  /** Students whose check of this step passed at least once. */
  passed: number;
  /** Students who reported on the step at all. */
  tried: number;
  /** Students in the room (the "of 25"). */
  total: number;
}

/**
 * "18 of 25 passed step 3": for every (lesson, step) any student reported
 * on, how many passed it, out of every student who joined the room.
 * Lessons in slug order (their folders are numbered), steps in order.
 */
export function stepSummary(rows: readonly StudentRow[]): StepSummary[] {
  const byKey = new Map<string, StepSummary>();
  for (const row of rows) {
    for (const p of row.progress) {
      const key = `${p.lesson}/${stepKey(p.step)}`;
      let s = byKey.get(key);
      if (!s) byKey.set(key, (s = { lesson: p.lesson, step: p.step, label: stepLabel(p.step), passed: 0, tried: 0, total: rows.length }));
      s.tried++;
      if (p.passed) s.passed++;
    }
  }
  return [...byKey.values()].sort((a, b) => a.lesson.localeCompare(b.lesson) || compareSteps(a.step, b.step));
}

/** Every step a student passed, in order ("checks passed" on the dashboard). */
export function passedSteps(row: StudentRow): ProgressEntry[] {
  return row.progress.filter((p) => p.passed).sort((a, b) => a.lesson.localeCompare(b.lesson) || compareSteps(a.step, b.step));
}

const CSV_HEADER = ["room", "student", "joined_at", "left_at", "online", "last_activity", "lesson", "step", "passed", "first_passed_at", "last_result", "last_report_at", "reports"];

/** An ISO time, or "" for 0. */
function iso(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString() : "";
}

/**
 * One CSV field (RFC 4180 §2: quoted when it holds a comma, quote or line
 * break; quotes doubled). A field a spreadsheet would run as a formula
 * (= + - @ at the start, OWASP "CSV injection") gets a leading apostrophe.
 */
export function csvField(value: string | number | boolean): string {
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The room's progress as CSV: one line per student and step they reported
 * on (a student with no report yet gets one line with the step columns
 * empty). Lines end in CRLF (RFC 4180).
 */
export function progressCsv(roomName: string, rows: readonly StudentRow[], presence: ReadonlyMap<string, PresenceInfo>): string {
  const lines = [CSV_HEADER.join(",")];
  const sorted = [...rows].sort((a, b) => a.name.localeCompare(b.name) || a.joinedAtMs - b.joinedAtMs);
  for (const row of sorted) {
    const here = presence.get(row.id);
    const who = [roomName, row.name, iso(row.joinedAtMs), iso(row.leftAtMs), here?.online ? "yes" : "no", iso(here?.lastActivityMs ?? 0)];
    const steps = [...row.progress].sort((a, b) => a.lesson.localeCompare(b.lesson) || compareSteps(a.step, b.step));
    if (steps.length === 0) lines.push([...who, "", "", "", "", "", "", ""].map(csvField).join(","));
    for (const p of steps) {
      lines.push(
        [...who, p.lesson, p.step, p.passed ? "yes" : "no", iso(p.passedAtMs), p.lastPassed ? "passed" : "failed", iso(p.lastAtMs), p.reports]
          .map(csvField)
          .join(","),
      );
    }
  }
  return lines.join("\r\n") + "\r\n";
}
