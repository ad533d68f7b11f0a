import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { studentApi, teacherApi } from "./helpers/classroom";
import { startLabProcess, type LabProcess } from "./helpers/lab-process";

const TOKEN = "crash-test-teacher-token-01";
const labs: LabProcess[] = [];
afterAll(async () => {
  for (const l of labs) await l.stop("SIGKILL");
});

describe("a lab killed with SIGKILL in the middle of a class", () => {
  it("loses no progress report it acknowledged, and comes back with every room and student", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "wirelab-crash-"));
    const env = { TEACHER_TOKEN: TOKEN, DATA_DIR: dataDir };
    const first = await startLabProcess(env);
    labs.push(first);
    const teacher = teacherApi(first.httpUrl, TOKEN);
    const room = (await teacher.createRoom("Crash course")).body;
    const students = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const s = studentApi(first.httpUrl);
        const r = await s.join(room.code, `Student ${i}`);
        expect(r.status).toBe(200);
        return { s, id: r.body.student.id };
      }),
    );

    // Every student reports step after step; the lab is killed while they do.
    const acked = new Map<string, number[]>();
    let stop = false;
    const loops = students.map(async ({ s, id }) => {
      for (let step = 0; !stop && step < 1000; step++) {
        const r = await s.report({ lesson: "01-first-call", step, passed: step % 3 !== 0, atUnixMs: Date.now() }).catch(() => undefined);
        if (r?.status !== 200) return;
        acked.set(id, [...(acked.get(id) ?? []), step]);
      }
    });
    // Kill it once some reports are in (however slow the machine is), while the rest are in flight.
    const count = () => [...acked.values()].reduce((n, a) => n + a.length, 0);
    for (const deadline = Date.now() + 30_000; count() < 60 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    await first.stop("SIGKILL");
    stop = true;
    await Promise.all(loops);
    const total = [...acked.values()].reduce((n, a) => n + a.length, 0);
    expect(total).toBeGreaterThan(20);

    const second = await startLabProcess(env, { ports: first.ports });
    labs.push(second);
    const after = (await teacherApi(second.httpUrl, TOKEN).room(room.id)).body;
    expect(after.students).toHaveLength(20);
    const lost: string[] = [];
    for (const row of after.students) {
      const have = new Set(row.progress.map((p) => p.step));
      for (const step of acked.get(row.id) ?? []) if (!have.has(step)) lost.push(`${row.name} step ${step}`);
    }
    expect(lost).toEqual([]);
    // The students carry on where they were.
    const next = await students[0].s.report({ lesson: "01-first-call", step: 999, passed: true, atUnixMs: Date.now() });
    expect(next.status).toBe(200);
  }, 120_000);
});
