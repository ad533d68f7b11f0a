import { describe, expect, it } from "vitest";
import { RefusalHolds, type Hold } from "./refusal-holds";

describe("RefusalHolds", () => {
  it("spreads one student's held refusals one limit-interval apart, after the first token is due", () => {
    let now = 1_000;
    const holds = new RefusalHolds({ max: 100, perStudent: 4, longestMs: 5_000 }, () => now);
    const got = Array.from({ length: 4 }, () => holds.reserve("s1", 10, 100) as Hold);
    expect(got.map((h) => h.delayMs)).toEqual([10, 20, 30, 40]);
    // Another student is not queued behind them.
    expect((holds.reserve("s2", 10, 100) as Hold).delayMs).toBe(10);
    expect(holds.held).toBe(5);
    now += 15;
    got[0].release();
    got[0].release();
    expect(holds.held).toBe(4);
    expect((holds.reserve("s1", 10, 100) as Hold).delayMs).toBe(35);
  });

  it("names the bound that left no hold: per student, then across the lab; never holds past longestMs", () => {
    const holds = new RefusalHolds({ max: 3, perStudent: 2, longestMs: 150 }, () => 0);
    expect((holds.reserve("a", 100, 10) as Hold).delayMs).toBe(100);
    expect((holds.reserve("a", 100, 10) as Hold).delayMs).toBe(150);
    expect(holds.reserve("a", 100, 10)).toEqual({ refused: expect.stringMatching(/^2 of this student's refused calls are held already \(HELD_REFUSALS_PER_STUDENT = 2\)/) });
    holds.reserve("b", 100, 10);
    expect(holds.reserve("c", 100, 10)).toEqual({ refused: expect.stringMatching(/^3 refused calls are held across the lab already \(HELD_REFUSALS_MAX = 3\)/) });
  });
});
