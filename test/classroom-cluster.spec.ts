import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { CLASSROOM_TOPIC_ROOT } from "../server/classroom";
import type { DashboardEvent, PresenceInfo, StudentRow } from "../lib/classroom/contract";
import { createNodeLabClient } from "../lib/client/node";
import { studentApi, teacherApi } from "./helpers/classroom";
import { startTestLab } from "./helpers/lab";
import { startMosquitto } from "./helpers/processes";
import { openEvents } from "./helpers/sse";

/**
 * Two lab instances (as behind a load balancer) on one real Mosquitto:
 * the classroom is replicated through the broker, so the teacher on one
 * instance sees students on the other, and a drill reaches them.
 */
const TOKEN = "cluster-teacher-token-0123";
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let a: Awaited<ReturnType<typeof startTestLab>>;
let b: Awaited<ReturnType<typeof startTestLab>>;

beforeAll(async () => {
  broker = await startMosquitto();
  a = await startTestLab({ MQTT_URL: broker.url, TEACHER_TOKEN: TOKEN });
  b = await startTestLab({ MQTT_URL: broker.url, TEACHER_TOKEN: TOKEN });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await broker?.stop();
});

describe("several lab instances on a shared broker", () => {
  it("shows the teacher on one instance a student on the other, live, and drills reach them", async () => {
    const teacherA = teacherApi(a.httpUrl, TOKEN);
    const room = (await teacherA.createRoom("Two instances")).body;
    const feed = await openEvents(`${a.httpUrl}/rest/teach/rooms/${room.id}/events`, { authorization: `Bearer ${TOKEN}` });
    await feed.next<Extract<DashboardEvent, { type: "snapshot" }>>("snapshot");

    // The room reaches B; a student joins there (the load balancer sent them to B).
    const onB = studentApi(b.httpUrl);
    await expect.poll(async () => (await onB.join(room.code, "Bea")).status, { timeout: 10_000 }).toBe(200);
    const session = onB.current()!;
    const bea = (await onB.me()).body.student;
    expect((await onB.report({ lesson: "01-first-call", step: 1, passed: true, atUnixMs: Date.now() })).status).toBe(200);

    // A's dashboard fills in: the student, her progress, and that she is online (on B).
    await feed.next<{ students: StudentRow[] }>("students", (e) => e.students.some((s) => s.name === "Bea" && s.progress.some((p) => p.step === 1 && p.passed)), 10_000);
    const client = await createNodeLabClient({ mode: "rest", baseUrl: b.httpUrl, session, participant: "Node client" });
    expect((await client.getUser(1n)).ok).toBe(true);
    await feed.next<{ presence: PresenceInfo[] }>("presence", (e) => e.presence.some((p) => p.id === bea.id && p.online), 15_000);
    await client.close();
    feed.close();

    // A drill started on A reaches Bea's sandbox, which lives on B; lifting it on A lifts it there.
    expect(b.sandboxes.peek(session)).toBeDefined();
    await teacherA.drill(room.id, "lossy-queue", 3);
    await expect.poll(() => b.sandboxes.peek(session)!.faults.list().map((r) => r.label), { timeout: 10_000 }).toEqual(["drill: lossy queue", "drill: lossy queue"]);
    expect(a.sandboxes.peek(session)).toBeUndefined();
    await teacherA.lift(room.id);
    await expect.poll(() => b.sandboxes.peek(session)!.faults.list().length, { timeout: 10_000 }).toBe(0);

    // A reset asked on A resets the sandbox on B.
    b.sandboxes.peek(session)!.counters.ordersAccepted = 5;
    await teacherA.reset(room.id, bea.id);
    await expect.poll(() => b.sandboxes.peek(session)!.counters.ordersAccepted, { timeout: 10_000 }).toBe(0);

    // Closing on A closes on B: B's teacher API sees what A's does, and B refuses a latecomer.
    // (Waiting on the join itself would let a try that lands before the close reaches B join the room.)
    await teacherA.close(room.id);
    await expect.poll(async () => (await teacherApi(b.httpUrl, TOKEN).room(room.id)).body.room.closedAtMs, { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await studentApi(b.httpUrl).join(room.code, "Late")).body).toMatchObject({ error: { code: "room_closed" } });
    const fromB = (await teacherApi(b.httpUrl, TOKEN).room(room.id)).body;
    expect(fromB.students.map((s) => s.name)).toEqual(["Bea"]);
  }, 60_000);

  it("gives a newly started instance the whole classroom from the broker", async () => {
    const room = (await teacherApi(a.httpUrl, TOKEN).createRoom("Late instance")).body;
    const s = studentApi(a.httpUrl);
    await s.join(room.code, "Cal");
    await s.report({ lesson: "02-rpc", step: "intro", passed: true, atUnixMs: Date.now() });
    const c = await startTestLab({ MQTT_URL: broker.url, TEACHER_TOKEN: TOKEN });
    try {
      await expect
        .poll(async () => (await teacherApi(c.httpUrl, TOKEN).room(room.id)).body?.students?.[0]?.progress?.[0]?.step, { timeout: 10_000 })
        .toBe("intro");
    } finally {
      await c.close();
    }
  }, 60_000);

  it("seals the classroom on the broker: a student there can neither read it nor forge a record", async () => {
    const snoop = await mqtt.connectAsync(broker.url, { username: "snoopy000001" });
    const seen: Array<{ topic: string; payload: Buffer }> = [];
    snoop.on("message", (topic, payload) => seen.push({ topic, payload }));
    await snoop.subscribeAsync(`${CLASSROOM_TOPIC_ROOT}/#`);
    const room = (await teacherApi(a.httpUrl, TOKEN).createRoom("Sealed")).body;
    const s = studentApi(a.httpUrl);
    const joined = (await s.join(room.code, "Dora Secret")).body;
    await expect.poll(() => seen.some((m) => m.topic.includes("/student/")), { timeout: 10_000 }).toBe(true);
    const all = Buffer.concat(seen.map((m) => m.payload)).toString("latin1");
    for (const secret of ["Dora Secret", joined.session, joined.student.resumeCode, room.code]) expect(all).not.toContain(secret);
    // A forged room record (plain JSON, or a sealed one moved to another topic) changes nothing.
    const forged = { id: "forged0001", code: "FRGD22", name: "Forged", createdAtMs: 1, closedAtMs: 0, drill: null, messages: [], rev: { atMs: Date.now() + 1e9, origin: "zzzz" } };
    await snoop.publishAsync(`${CLASSROOM_TOPIC_ROOT}/room/forged0001`, JSON.stringify(forged), { qos: 1, retain: true });
    const roomTopic = seen.find((m) => m.topic.endsWith(`/room/${room.id}`))!;
    await snoop.publishAsync(`${CLASSROOM_TOPIC_ROOT}/room/forged0002`, roomTopic.payload, { qos: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(b.classroom.classroom.rooms.has("forged0001")).toBe(false);
    expect(b.classroom.classroom.rooms.has("forged0002")).toBe(false);
    await snoop.publishAsync(`${CLASSROOM_TOPIC_ROOT}/room/forged0001`, "", { qos: 1, retain: true });
    await snoop.endAsync();
  });
});
