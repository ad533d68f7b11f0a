import { afterEach, describe, expect, it } from "vitest";
import { createProgressReporter, PENDING_KEY, type ProgressReporter } from "./report-progress";

/** A fake lab: answers per call from a list of behaviours, and records bodies. */
function fakeLab(behaviours: Array<"ok" | "down" | 409 | 429 | 400 | 503>) {
  const bodies: unknown[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const b = behaviours.shift() ?? "ok";
    bodies.push(JSON.parse(String(init.body)));
    if (b === "down") throw new TypeError("fetch failed");
    const status = b === "ok" ? 200 : b;
    const body = status === 200 ? { saved: 1 } : { error: { code: "x", message: `answered ${status}` } };
    return new Response(JSON.stringify(body), { status, headers: status === 429 ? { "retry-after": "1" } : {} });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, bodies };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

const reporters: ProgressReporter[] = [];
afterEach(() => reporters.splice(0).forEach((r) => r.close()));

describe("reportProgress", () => {
  it("sends a report and is done once the lab acknowledged it", async () => {
    const lab = fakeLab(["ok"]);
    const r = createProgressReporter({ fetch: lab.fetch, storage: null });
    reporters.push(r);
    expect(await r.report({ lesson: "01-first-call", step: 2, passed: true, atUnixMs: 5 })).toEqual({ status: "saved" });
    expect(lab.bodies).toEqual([{ reports: [{ lesson: "01-first-call", step: 2, passed: true, atUnixMs: 5 }] }]);
    expect(r.pending()).toBe(0);
  });

  it("keeps a report through a lost connection and a reload, and sends it later", async () => {
    const storage = memoryStorage();
    const first = createProgressReporter({ fetch: fakeLab(["down"]).fetch, storage });
    reporters.push(first);
    const outcome = await first.report({ lesson: "01-first-call", step: 0, passed: true, atUnixMs: 7 });
    expect(outcome.status).toBe("queued");
    first.close();
    expect(JSON.parse(storage.m.get(PENDING_KEY)!)).toHaveLength(1);
    // The page reloads: a new reporter finds the report and sends it.
    const lab = fakeLab(["ok"]);
    const second = createProgressReporter({ fetch: lab.fetch, storage });
    reporters.push(second);
    await expect.poll(() => second.pending()).toBe(0);
    expect(lab.bodies).toHaveLength(1);
    expect(JSON.parse(storage.m.get(PENDING_KEY)!)).toEqual([]);
  });

  it("keeps reports on 429 and 503, drops them when the browser is not in a class or the report is wrong", async () => {
    const lab = fakeLab([429, 409, 400]);
    const r = createProgressReporter({ fetch: lab.fetch, storage: null });
    reporters.push(r);
    expect(await r.report({ lesson: "a", step: 0, passed: true, atUnixMs: 1 })).toEqual({ status: "queued", reason: "answered 429" });
    expect(r.pending()).toBe(1);
    r.close();
    const r2 = createProgressReporter({ fetch: lab.fetch, storage: null });
    reporters.push(r2);
    expect(await r2.report({ lesson: "a", step: 0, passed: true, atUnixMs: 1 })).toEqual({ status: "not-in-class", reason: "answered 409" });
    expect(await r2.report({ lesson: "a", step: 1, passed: true, atUnixMs: 1 })).toEqual({ status: "refused", reason: "answered 400" });
    expect(r2.pending()).toBe(0);
  });

  it("refuses a malformed report before sending it", async () => {
    const lab = fakeLab([]);
    const r = createProgressReporter({ fetch: lab.fetch, storage: null });
    reporters.push(r);
    const outcome = await r.report({ lesson: "Not A Slug", step: 0, passed: true });
    expect(outcome).toMatchObject({ status: "refused", reason: expect.stringContaining("PROGRESS_LIMITS.lessonChars") });
    expect(lab.bodies).toEqual([]);
  });
});
