import { describe, expect, it } from "vitest";
import type { ProgressEntry, StudentRow } from "./contract";
import { applyDashboardEvent, agoText, countdownText, rosterOrder } from "./dashboard-model";
import { csvField, currentStep, progressCsv, stepSummary } from "./summary";

const p = (lesson: string, step: number | string, passed: boolean, at: number): ProgressEntry => ({ lesson, step, passed, passedAtMs: passed ? at : 0, lastPassed: passed, lastAtMs: at, reports: 1 });
const row = (id: string, name: string, progress: ProgressEntry[]): StudentRow => ({ id, name, joinedAtMs: 1, leftAtMs: 0, resumeCode: "ABCDEFGHJK", progress });

describe("class summary", () => {
  const rows = [
    row("a", "Ada", [p("01-first-call", 0, true, 10), p("01-first-call", 2, true, 30), p("02-rpc", "intro", false, 40)]),
    row("b", "Bob", [p("01-first-call", 0, true, 12), p("01-first-call", 2, false, 31)]),
    row("c", "Cy", []),
  ];

  it("counts who passed each step out of everyone in the room, in lesson and step order", () => {
    expect(stepSummary(rows).map((s) => `${s.passed} of ${s.total} passed ${s.lesson} ${s.label} (${s.tried} tried)`)).toEqual([
      "2 of 3 passed 01-first-call step 1 (2 tried)",
      "1 of 3 passed 01-first-call step 3 (2 tried)",
      "0 of 3 passed 02-rpc intro (1 tried)",
    ]);
  });

  it("knows where each student is", () => {
    expect(currentStep(rows[0])?.step).toBe("intro");
    expect(currentStep(rows[2])).toBeUndefined();
  });

  it("exports CSV per RFC 4180, and defuses spreadsheet formulas", () => {
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField(3)).toBe("3");
    const csv = progressCsv("Period, 3", rows, new Map([["a", { id: "a", online: true, lastActivityMs: 0 }]]));
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("room,student,joined_at,left_at,online,last_activity,lesson,step,passed,first_passed_at,last_result,last_report_at,reports");
    expect(lines[1]).toMatch(/^"Period, 3",Ada,1970-01-01T00:00:00.001Z,,yes,,01-first-call,0,yes,1970-01-01T00:00:00.010Z,passed,/);
    expect(lines.filter((l) => l.includes(",Cy,"))).toEqual(['"Period, 3",Cy,1970-01-01T00:00:00.001Z,,no,,,,,,,,']);
    expect(lines).toHaveLength(1 + 3 + 2 + 1 + 1);
  });
});

describe("dashboard model", () => {
  const room = { id: "r", code: "ABCDEF", name: "R", createdAtMs: 0, closedAtMs: 0, drill: null, messages: [], joinUrl: "", students: 0, online: 0 };
  it("folds a snapshot and its updates", () => {
    let s = applyDashboardEvent(undefined, { type: "snapshot", room, students: [row("a", "Zed", [])], presence: [], serverNowMs: 1_000 }, 400);
    expect(s?.clockOffsetMs).toBe(600);
    s = applyDashboardEvent(s, { type: "students", students: [row("b", "Amy", []), row("a", "Zed", [p("x", 0, true, 1)])] });
    s = applyDashboardEvent(s, { type: "presence", presence: [{ id: "a", online: true, lastActivityMs: 5 }] });
    expect(rosterOrder(s!).map((r) => r.name)).toEqual(["Zed", "Amy"]);
    expect(s!.students.get("a")?.progress).toHaveLength(1);
  });

  it("says times the way a teacher reads them", () => {
    expect([agoText(0, 1), agoText(1_000, 3_000), agoText(0 + 1, 90_001), agoText(1, 2 * 3_600_000 + 1)]).toEqual(["—", "now", "1 min ago", "2 h ago"]);
    expect(countdownText(65_000)).toBe("1:05");
  });
});
