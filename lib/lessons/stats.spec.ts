import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventKind, Mode, TraceEventSchema, type TraceEvent } from "../gen/lab/v1/trace_pb";
import { latencySummary, logicalCalls, ms, othersInFlightAtStart, othersOverlapping, percentile, quizScore, retryWaits } from "./stats";

/** One client attempt: REQUEST_SENT at `sent`, RESPONSE_RECEIVED at `received` (client clock, ms). */
function attempt(span: string, o: { mode?: Mode; label?: string; to?: string; sent: number; received?: number; status?: string; attempt?: number; retryOf?: string }): TraceEvent[] {
  const base = { session: "s", seq: 0n, spanId: span, mode: o.mode ?? Mode.CONNECT, attempt: o.attempt ?? 1, retryOfSpanId: o.retryOf ?? "" };
  const out = [create(TraceEventSchema, { ...base, kind: EventKind.REQUEST_SENT, timeUnixMs: o.sent, from: "Browser", to: o.to ?? "UserService", summary: o.label ?? "GetUser" })];
  if (o.received !== undefined) out.push(create(TraceEventSchema, { ...base, kind: EventKind.RESPONSE_RECEIVED, timeUnixMs: o.received, from: o.to ?? "UserService", to: "Browser", summary: o.status ?? "ok" }));
  return out;
}

describe("percentile (nearest rank)", () => {
  it("is a value of the data, the smallest with p % at or below it", () => {
    const v = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(25);
    expect(percentile(v, 90)).toBe(45);
    expect(percentile(v, 99)).toBe(50);
    expect(percentile(v, 100)).toBe(50);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("does not mind the order", () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });

  it("summarises", () => {
    expect(latencySummary([3, 1, 2])).toEqual({ count: 3, min: 1, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
    expect(latencySummary([])).toBeUndefined();
    expect([ms(0.8372), ms(12.34), ms(1240.2)]).toEqual(["0.84", "12.3", "1,240"]);
  });
});

describe("logicalCalls", () => {
  const events = [
    ...attempt("a1", { sent: 0, received: 5, status: "unavailable" }),
    ...attempt("a2", { sent: 105, received: 110, status: "ok", attempt: 2, retryOf: "a1" }),
    ...attempt("b1", { sent: 2, received: 4, status: "ok" }),
    ...attempt("c1", { sent: 200, received: 203, status: "unavailable" }),
    ...attempt("c2", { mode: Mode.REST, label: "GET /rest/users/1", to: "Gateway", sent: 203, received: 206, status: "200", attempt: 2, retryOf: "c1" }),
    ...attempt("d1", { sent: 300 }),
  ];

  it("groups attempts under the first, with the last outcome and the whole duration", () => {
    const calls = logicalCalls(events);
    expect(calls.map((c) => [c.spanId, c.attempts.length, c.status, c.ok, c.durationMs])).toEqual([
      ["a1", 2, "ok", true, 110],
      ["b1", 1, "ok", true, 2],
      ["c1", 2, "200", true, 6],
    ]);
    expect(calls[2].attempts.map((a) => a.mode)).toEqual([Mode.CONNECT, Mode.REST]);
    expect(logicalCalls(events, { answered: false })).toHaveLength(4);
    expect(logicalCalls(events, { mode: "rest" })).toHaveLength(0);
  });

  it("measures the waits between attempts and what else was in flight", () => {
    const calls = logicalCalls(events);
    expect(retryWaits(calls[0])).toEqual([100]);
    expect(othersInFlightAtStart(calls)).toEqual([0, 1, 0]);
    expect(othersOverlapping(calls)).toEqual([1, 1, 0]);
  });
});

describe("quizScore", () => {
  const q = (answer: string) => ({ question: { en: "?", "zh-CN": "？" }, options: [], answer, explanation: { en: "", "zh-CN": "" } });
  it("counts answered and right", () => {
    expect(quizScore({ a: "x", b: "n" }, { a: q("x"), b: q("y"), c: q("z") }, ["a", "b", "c"])).toEqual({ right: 1, answered: 2, total: 3 });
  });
});
