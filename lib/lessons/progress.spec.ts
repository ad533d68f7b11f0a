import { describe, expect, it } from "vitest";
import { emptyProgress, isStepPassed, mergeProgress, parseProgress, passedCount, serializeProgress, totalPassed, withLessonCleared, withStepPassed } from "./progress";

describe("progress", () => {
  const p1 = withStepPassed(withStepPassed(emptyProgress(), "rest", "crud", "2026-01-02T00:00:00Z"), "rest", "etag", "2026-01-03T00:00:00Z");

  it("records the first pass of a step and counts them", () => {
    expect(isStepPassed(p1, "rest", "crud")).toBe(true);
    expect(withStepPassed(p1, "rest", "crud", "2030-01-01T00:00:00Z")).toBe(p1);
    expect(passedCount(p1, "rest", ["crud", "error-layers", "etag"])).toBe(2);
    expect(totalPassed(p1)).toBe(2);
    expect(isStepPassed(withLessonCleared(p1, "rest"), "rest", "crud")).toBe(false);
  });

  it("round-trips through the exported file", () => {
    const back = parseProgress(serializeProgress(p1));
    expect(back.lessons).toEqual(p1.lessons);
  });

  it("merges an import, keeping the earlier pass", () => {
    const other = withStepPassed(withStepPassed(emptyProgress(), "rest", "crud", "2026-01-01T00:00:00Z"), "rpc-and-contracts", "bidi", "2026-02-01T00:00:00Z");
    const m = mergeProgress(p1, other);
    expect(m.lessons.rest.steps.crud.passedAt).toBe("2026-01-01T00:00:00Z");
    expect(totalPassed(m)).toBe(3);
  });

  it("refuses what is not a Wirelab progress file, saying why", () => {
    expect(() => parseProgress("nope")).toThrow("not JSON");
    expect(() => parseProgress(JSON.stringify({ format: "other", version: 1, lessons: {} }))).toThrow("not a Wirelab progress file");
    expect(() => parseProgress(JSON.stringify({ format: "wirelab-progress", version: 1, lessons: { "Bad Slug": { steps: {} } } }))).toThrow();
  });
});
