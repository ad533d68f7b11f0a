import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProgressEntry } from "../../lib/classroom/contract";
import { applyReport, ClassError, Classroom, mergeProgress } from "./classroom";
import { DurableStore } from "./store";

const stores: DurableStore[] = [];
async function classroom(dir = mkdtempSync(path.join(os.tmpdir(), "wirelab-class-")), origin = "inst1") {
  const store = await DurableStore.open(dir);
  stores.push(store);
  return { c: new Classroom({ store, origin, maxStudentsPerRoom: 3 }), store, dir };
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

let n = 0;
const session = () => `sess${String(++n).padStart(6, "0")}`;

describe("progress merging", () => {
  const entry = (over: Partial<ProgressEntry>): ProgressEntry => ({ lesson: "01-a", step: 0, passed: false, passedAtMs: 0, lastPassed: false, lastAtMs: 0, reports: 0, ...over });

  it("keeps a pass once passed, and the latest result as the last one", () => {
    let p = applyReport(undefined, { passed: false, atUnixMs: 100 }, "01-a", 0)!;
    p = applyReport(p, { passed: true, atUnixMs: 200 }, "01-a", 0)!;
    p = applyReport(p, { passed: false, atUnixMs: 300 }, "01-a", 0)!;
    expect(p).toMatchObject({ passed: true, passedAtMs: 200, lastPassed: false, lastAtMs: 300, reports: 3 });
    // A late-arriving older report does not become the latest.
    p = applyReport(p, { passed: true, atUnixMs: 150 }, "01-a", 0)!;
    expect(p).toMatchObject({ passed: true, passedAtMs: 150, lastPassed: false, lastAtMs: 300, reports: 4 });
  });

  it("treats a repeat of the latest report as nothing new", () => {
    const p = applyReport(undefined, { passed: true, atUnixMs: 100 }, "01-a", 0)!;
    expect(applyReport(p, { passed: true, atUnixMs: 100 }, "01-a", 0)).toBeUndefined();
  });

  it("merges copies the same in any order", () => {
    const copies = [
      entry({ passed: true, passedAtMs: 50, lastPassed: true, lastAtMs: 50, reports: 1 }),
      entry({ passed: false, lastPassed: false, lastAtMs: 90, reports: 3 }),
      entry({ passed: true, passedAtMs: 70, lastPassed: true, lastAtMs: 70, reports: 2 }),
    ];
    const orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0]];
    const results = orders.map((o) => o.map((i) => copies[i]).reduce((a, b) => mergeProgress(a, b)));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toMatchObject({ passed: true, passedAtMs: 50, lastPassed: false, lastAtMs: 90, reports: 3 });
    expect(mergeProgress(results[0], results[0])).toEqual(results[0]);
  });
});

describe("Classroom", () => {
  it("joins a room by code in a fresh session, and refuses what it should", async () => {
    const { c } = await classroom();
    const room = await c.createRoom("Period 3");
    expect(room.code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    const ada = await c.join(room.code, "Ada", undefined, session);
    expect(c.studentOfSession(ada.session)?.name).toBe("Ada");
    await expect(c.join("ZZZZZZ", "Bob", undefined, session)).rejects.toMatchObject({ status: 404, code: "not_found" });
    await expect(c.join(room.code, "ada", undefined, session)).rejects.toMatchObject({ status: 409, code: "name_taken" });
    await expect(c.join(room.code, "Bob", ada.session, session)).rejects.toMatchObject({ code: "already_in_room" });
    await c.join(room.code, "Bob", undefined, session);
    await c.join(room.code, "Cy", undefined, session);
    await expect(c.join(room.code, "Dee", undefined, session)).rejects.toMatchObject({ code: "room_full", message: expect.stringContaining("ROOM_MAX_STUDENTS") });
    await c.closeRoom(room.id);
    const other = await c.createRoom("Period 4");
    await expect(c.join(room.code, "Eve", undefined, session)).rejects.toMatchObject({ code: "room_closed" });
    // Ada's room is closed: her browser may join another.
    await expect(c.join(other.code, "Ada", ada.session, session)).resolves.toMatchObject({ name: "Ada" });
  });

  it("lets a student leave and come back with the resume code, in the same session", async () => {
    const { c } = await classroom();
    const room = await c.createRoom("R");
    const ada = await c.join(room.code, "Ada", undefined, session);
    await c.leave(ada.session);
    expect(() => c.member(ada.session)).toThrow(ClassError);
    const back = await c.resume(ada.resumeCode);
    expect(back.session).toBe(ada.session);
    expect(c.member(ada.session).student.id).toBe(ada.id);
    await expect(c.resume("ABCDEFGHJK")).rejects.toMatchObject({ status: 404 });
    await c.closeRoom(room.id);
    await expect(c.resume(ada.resumeCode)).rejects.toMatchObject({ code: "room_closed" });
  });

  it("records progress only for a member, refuses bad times, and survives a reopen", async () => {
    const { c, store, dir } = await classroom();
    const room = await c.createRoom("R");
    const ada = await c.join(room.code, "Ada", undefined, session);
    const now = Date.now();
    expect(await c.report(ada.session, [{ lesson: "01-first-call", step: 0, passed: true, atUnixMs: now }, { lesson: "01-first-call", step: "goal", passed: false, atUnixMs: now }])).toBe(2);
    expect(await c.report(ada.session, [{ lesson: "01-first-call", step: 0, passed: true, atUnixMs: now }])).toBe(0);
    await expect(c.report(ada.session, [{ lesson: "x", step: 1, passed: true, atUnixMs: now + 3_600_000 }])).rejects.toThrow(/PROGRESS_LIMITS.clockSkewMs/);
    await expect(c.report("nobody0000", [{ lesson: "x", step: 1, passed: true, atUnixMs: now }])).rejects.toMatchObject({ code: "not_in_room" });
    await c.startDrill(room.id, "broker-outage", 2);
    await store.close();
    stores.pop();
    const again = (await classroom(dir)).c;
    expect(again.progress(ada.id).map((p) => [p.step, p.passed]).sort()).toEqual([[0, true], ["goal", false]]);
    expect(again.activeDrill(again.rooms.get(room.id))?.preset).toBe("broker-outage");
    expect(again.studentOfSession(ada.session)?.resumeCode).toBe(ada.resumeCode);
  });

  it("refuses an unknown preset and a closed room's drill", async () => {
    const { c } = await classroom();
    const room = await c.createRoom("R");
    await expect(c.startDrill(room.id, "volcano", 1)).rejects.toThrow(/no fault preset "volcano"; presets: flaky-network/);
    await c.closeRoom(room.id);
    await expect(c.startDrill(room.id, "broker-outage", 1)).rejects.toMatchObject({ code: "room_closed" });
  });

  it("replicates: another instance's records merge in, older revisions are ignored", async () => {
    const a = (await classroom(undefined, "aaaa")).c;
    const b = (await classroom(undefined, "bbbb")).c;
    const changes: string[] = [];
    b.onChange((ch) => changes.push(`${ch.kind}:${ch.local}`));
    const room = await a.createRoom("R");
    const ada = await a.join(room.code, "Ada", undefined, session);
    await a.report(ada.session, [{ lesson: "01-a", step: 0, passed: true, atUnixMs: Date.now() }]);
    for (const [k, v] of a.ownRecords()) await b.applyRemote(k, v);
    expect(b.roomByCodeText(room.code)?.id).toBe(room.id);
    expect(b.progress(ada.id)[0]).toMatchObject({ passed: true });
    expect(changes).toEqual(["room:false", "student:false", "progress:false"]);
    // The same records again change nothing; an older revision of the room is ignored.
    for (const [k, v] of a.ownRecords()) expect(await b.applyRemote(k, v)).toBe(false);
    await b.broadcast(room.id, "hello");
    expect(await b.applyRemote(`room/${room.id}`, room)).toBe(false);
    expect(b.rooms.get(room.id)?.messages.map((m) => m.text)).toEqual(["hello"]);
  });
});
