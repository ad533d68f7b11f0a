import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./rate-limit";

describe("TokenBuckets", () => {
  it("lets a burst through, then the rate, and names the limit in a refusal", () => {
    let now = 0;
    const b = new TokenBuckets({ perSecond: 10, burst: 20 }, { unit: "calls", scope: "per student", name: "STUDENT_CALLS_PER_SECOND" }, () => now);
    for (let i = 0; i < 20; i++) expect(b.take("s1")).toBeUndefined();
    const refused = b.take("s1");
    expect(refused).toMatchObject({ limit: 10, retryAfterMs: 100 });
    expect(refused?.message).toBe("rate limit: 10 calls per second per student, 20 at once (STUDENT_CALLS_PER_SECOND); try again in 0.1 s");
    // Another key has its own bucket.
    expect(b.take("s2")).toBeUndefined();
    now += 500;
    for (let i = 0; i < 5; i++) expect(b.take("s1")).toBeUndefined();
    expect(b.take("s1")).toBeDefined();
  });

  it("speaks of minutes for slow limits and takes several tokens at once", () => {
    let now = 0;
    const b = new TokenBuckets({ perSecond: 1 / 10, burst: 3 }, { unit: "load runs", scope: "per student", name: "CLASS_RATE_LIMITS.runs" }, () => now);
    expect(b.take("s", 3)).toBeUndefined();
    expect(b.take("s")?.message).toMatch(/^rate limit: 6 load runs per minute per student, 3 at once \(CLASS_RATE_LIMITS.runs\); try again in 10.0 s$/);
    now += 10_000;
    expect(b.take("s")).toBeUndefined();
  });
});
