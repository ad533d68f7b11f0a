import { describe, expect, it } from "vitest";
import { repeatPlan, runRepeated } from "./repeat";

describe("runRepeated", () => {
  it("runs every task once with at most `concurrency` in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const progress: number[] = [];
    const r = await runRepeated(
      100,
      10,
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((res) => setTimeout(res, 1));
        inFlight--;
        seen.push(i);
        if (i % 7 === 0) throw new Error("boom");
        return i;
      },
      { onResult: (_o, _i, done) => progress.push(done) },
    );
    expect(r).toEqual({ done: 100, total: 100, cancelled: false });
    expect(peak).toBe(10);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(progress).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("stops starting tasks when cancelled, and counts those in flight", async () => {
    const abort = new AbortController();
    const r = await runRepeated(
      100,
      3,
      async () => {
        await new Promise((res) => setTimeout(res, 1));
      },
      { signal: abort.signal, onResult: (_o, _i, done) => done === 5 && abort.abort() },
    );
    expect(r.cancelled).toBe(true);
    expect(r.done).toBeGreaterThanOrEqual(5);
    expect(r.done).toBeLessThanOrEqual(7);
  });

  it("reports failures as outcomes", async () => {
    const outcomes: boolean[] = [];
    await runRepeated(2, 1, async (i) => (i === 1 ? Promise.reject(new Error("x")) : i), { onResult: (o) => outcomes.push(o.ok) });
    expect(outcomes).toEqual([true, false]);
  });
});

describe("repeatPlan", () => {
  it("clamps to 1–500 calls and 1–10 at a time", () => {
    expect(repeatPlan(100, 10)).toEqual({ total: 100, concurrency: 10 });
    expect(repeatPlan(0, 0)).toEqual({ total: 1, concurrency: 1 });
    expect(repeatPlan(9999, 50)).toEqual({ total: 500, concurrency: 10 });
    expect(repeatPlan(3, 10)).toEqual({ total: 3, concurrency: 3 });
    expect(repeatPlan(Number.NaN, 2.7)).toEqual({ total: 1, concurrency: 1 });
  });
});
