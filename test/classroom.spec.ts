import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import type { RoomInfo, StudentRow, StudentState, PresenceInfo, DashboardEvent } from "../lib/classroom/contract";
import { createNodeLabClient } from "../lib/client/node";
import { EventKind } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";
import { studentApi, teacherApi } from "./helpers/classroom";
import { openEvents } from "./helpers/sse";

const TOKEN = "test-teacher-token-0123456789";
let lab: Awaited<ReturnType<typeof startTestLab>>;
let teacher: ReturnType<typeof teacherApi>;

beforeAll(async () => {
  // A low call limit, so the rate-limit tests need few calls.
  lab = await startTestLab({ TEACHER_TOKEN: TOKEN, STUDENT_CALLS_PER_SECOND: "5" });
  teacher = teacherApi(lab.httpUrl, TOKEN);
});
afterAll(async () => {
  await lab?.close();
});

async function newRoom(name = "Period 3"): Promise<RoomInfo> {
  const r = await teacher.createRoom(name);
  expect(r.status).toBe(201);
  return r.body;
}

async function joined(room: RoomInfo, name: string) {
  const s = studentApi(lab.httpUrl);
  const r = await s.join(room.code, name);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return Object.assign(s, { id: r.body.student.id, resumeCode: r.body.student.resumeCode, session: r.body.session as string });
}

const now = () => Date.now();

/**
 * Sends `send()` in concurrent batches until one answer is a refusal (or
 * `maxBatches` ran out): on a busy machine one batch may spread over long
 * enough for a bucket to refill, so a fixed count would be flaky.
 */
async function untilRefused<T>(send: () => Promise<T>, refused: (a: T) => boolean, batch: number, maxBatches = 20): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < maxBatches && !all.some(refused); i++) all.push(...(await Promise.all(Array.from({ length: batch }, send))));
  return all;
}

describe("teacher access", () => {
  it("refuses every teacher route without the token, in the lab's JSON error shape", async () => {
    const room = await newRoom();
    for (const path of ["/rooms", `/rooms/${room.id}`, `/rooms/${room.id}/events`, `/rooms/${room.id}/progress.csv`, "/metrics", "/me"]) {
      const res = await fetch(`${lab.httpUrl}/rest/teach${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="wirelab-teacher"');
      expect((await res.json()).error.code).toBe("unauthenticated");
    }
    for (const [method, path] of [["POST", "/rooms"], ["PUT", `/rooms/${room.id}/drill`], ["POST", `/rooms/${room.id}/close`]]) {
      const res = await fetch(`${lab.httpUrl}/rest/teach${path}`, { method, headers: { authorization: "Bearer not-the-token-at-all", "content-type": "application/json" }, body: "{}" });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("logs a teacher in with the token (an HttpOnly cookie, not the token), and out", async () => {
    const bad = await fetch(`${lab.httpUrl}/rest/teach/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "wrong" }) });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.message).toMatch(/not the teacher token/);
    const ok = await fetch(`${lab.httpUrl}/rest/teach/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: TOKEN }) });
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^wl_teacher=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(";")[0];
    expect((await fetch(`${lab.httpUrl}/rest/teach/rooms`, { headers: { cookie: pair } })).status).toBe(200);
    // A forged cookie is not a login.
    expect((await fetch(`${lab.httpUrl}/rest/teach/rooms`, { headers: { cookie: "wl_teacher=abc" } })).status).toBe(401);
    const out = await fetch(`${lab.httpUrl}/rest/teach/logout`, { method: "POST" });
    expect(out.headers.get("set-cookie")).toMatch(/^wl_teacher=; .*Max-Age=0/);
  });

  it("does not let a student in with their own session", async () => {
    const room = await newRoom();
    const ada = await joined(room, "Ada");
    const res = await fetch(`${lab.httpUrl}/rest/teach/rooms/${room.id}`, { headers: { "x-lab-session": ada.session, cookie: `wl_session=${ada.session}` } });
    expect(res.status).toBe(401);
  });
});

describe("rooms and students", () => {
  it("joins by code (typed any way), resumes from another browser with the resume code, and refuses a closed room", async () => {
    const room = await newRoom("Networks 101");
    expect(room.joinUrl).toBe(`${lab.httpUrl}/join?code=${room.code}`);
    const s = studentApi(lab.httpUrl);
    const r = await s.join(`${room.code.slice(0, 3).toLowerCase()}-${room.code.slice(3)}`, "  Ada   Lovelace ");
    expect(r.status).toBe(200);
    expect(r.body.student.name).toBe("Ada Lovelace");
    expect(r.body.student.resumeCode).toMatch(/^[A-Z2-9]{10}$/);
    expect(r.headers.get("set-cookie")).toBe(`wl_session=${r.body.session}; Path=/; Max-Age=2592000; SameSite=Lax; HttpOnly`);
    expect((await s.me()).body.room.name).toBe("Networks 101");
    expect((await s.join(room.code, "Someone Else")).body).toMatchObject({ error: { code: "already_in_room" } });

    expect((await s.leave()).status).toBe(200);
    expect((await s.me()).status).toBe(204);
    // Another browser: no session, the resume code only.
    const other = studentApi(lab.httpUrl);
    const back = await other.resume(r.body.student.resumeCode.toLowerCase());
    expect(back.status).toBe(200);
    expect(back.body.session).toBe(r.body.session);
    expect(back.headers.get("set-cookie")).toContain(`wl_session=${r.body.session}`);

    expect((await teacher.close(room.id)).body.closedAtMs).toBeGreaterThan(0);
    expect((await studentApi(lab.httpUrl).join(room.code, "Late")).body).toMatchObject({ error: { code: "room_closed" } });
    expect((await other.report({ lesson: "01-a", step: 0, passed: true, atUnixMs: now() })).body).toMatchObject({ error: { code: "room_closed" } });
    expect((await studentApi(lab.httpUrl).resume(r.body.student.resumeCode)).status).toBe(409);
    expect((await teacher.rooms()).body.rooms.find((x) => x.id === room.id)?.closedAtMs).toBeGreaterThan(0);
  });

  it("names what is wrong with a join, a report or a room", async () => {
    const room = await newRoom();
    const s = studentApi(lab.httpUrl);
    expect((await s.join("0OO", "Ada")).body).toMatchObject({ error: { code: "invalid_argument", message: "code: a room code is 6 letters and digits (no 0, O, 1, I or L)" } });
    expect((await s.join(room.code, "<script>")).body).toMatchObject({ error: { message: "name may hold letters, digits, spaces and . _ ' - only" } });
    expect((await s.join(room.code, "x".repeat(41))).body).toMatchObject({ error: { message: expect.stringContaining("ROOM_LIMITS.displayNameChars") } });
    expect((await s.join(room.code, "张三")).status).toBe(200);
    const bad = await s.report({ lesson: "01-a", step: 1000, passed: true, atUnixMs: now() });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { message: expect.stringContaining("PROGRESS_LIMITS.stepIndexMax") } });
    expect((await teacher.createRoom("")).body).toMatchObject({ error: { message: expect.stringContaining("ROOM_LIMITS.roomNameChars") } });
    expect((await teacher.drill(room.id, "broker-outage", 11)).body).toMatchObject({ error: { message: expect.stringContaining("ROOM_LIMITS.drillMinutesMax") } });
    expect((await studentApi(lab.httpUrl).report({ lesson: "01-a", step: 0, passed: true, atUnixMs: now() })).body).toMatchObject({ error: { code: "not_in_room" } });
  });

  it("makes guessing room codes slow: failed joins share one lab-wide budget (429 naming it)", async () => {
    const answers = await untilRefused(() => studentApi(lab.httpUrl).join("ZZZZZZ", "Guess"), (a) => a.status === 429, 70);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body).toMatchObject({ error: { code: "resource_exhausted", message: expect.stringContaining("CLASS_RATE_LIMITS.failedJoins") } });
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 2_600));
  });
});

describe("the teacher's live dashboard", () => {
  it("fills in live: joins, progress, presence, and a per-step summary's data", async () => {
    const room = await newRoom();
    const feed = await openEvents(`${lab.httpUrl}/rest/teach/rooms/${room.id}/events`, { authorization: `Bearer ${TOKEN}` });
    expect(feed.status).toBe(200);
    const snapshot = await feed.next<Extract<DashboardEvent, { type: "snapshot" }>>("snapshot");
    expect(snapshot.students).toEqual([]);
    const ada = await joined(room, "Ada");
    const bob = await joined(room, "Bob");
    await feed.next<{ students: StudentRow[] }>("students", (e) => e.students.some((s) => s.name === "Bob"));
    expect((await ada.report([{ lesson: "01-first-call", step: 0, passed: true, atUnixMs: now() }, { lesson: "01-first-call", step: 1, passed: false, atUnixMs: now() }])).status).toBe(200);
    const rows = await feed.next<{ students: StudentRow[] }>("students", (e) => e.students.some((s) => s.id === ada.id && s.progress.length === 2));
    expect(rows.students.find((s) => s.id === ada.id)?.progress.find((p) => p.step === 0)).toMatchObject({ passed: true, lastPassed: true, reports: 1 });
    // A call makes Bob online and active.
    const client = await createNodeLabClient({ mode: "rest", baseUrl: lab.httpUrl, session: bob.session, participant: "Node client" });
    expect((await client.getUser(1n)).ok).toBe(true);
    const seen = await feed.next<{ presence: PresenceInfo[] }>("presence", (e) => e.presence.some((p) => p.id === bob.id && p.online && p.lastActivityMs > 0));
    expect(seen.presence.find((p) => p.id === bob.id)?.online).toBe(true);
    await client.close();
    feed.close();
    const full = await teacher.room(room.id);
    expect(full.body.students.map((s) => s.name).sort()).toEqual(["Ada", "Bob"]);
    const csv = (await teacher.csv(room.id)).body;
    expect(csv.split("\r\n").filter((l) => l.includes(",Ada,"))).toHaveLength(2);
  });

  it("broadcasts a message to the room's students, and only to them", async () => {
    const room = await newRoom();
    const other = await newRoom("Other");
    const ada = await joined(room, "Ada");
    const eve = await joined(other, "Eve");
    const adaFeed = await openEvents(`${lab.httpUrl}/rest/class/events`, { "x-lab-session": ada.session });
    const eveFeed = await openEvents(`${lab.httpUrl}/rest/class/events`, { "x-lab-session": eve.session });
    await adaFeed.next("state");
    await eveFeed.next("state");
    expect((await teacher.message(room.id, "Open lesson 2 now")).status).toBe(200);
    const state = await adaFeed.next<StudentState>("state", (s) => s.room.messages.length > 0);
    expect(state.room.messages[0].text).toBe("Open lesson 2 now");
    await new Promise((r) => setTimeout(r, 300));
    expect(eveFeed.events.every((e) => (e.data as StudentState).room.messages.length === 0)).toBe(true);
    adaFeed.close();
    eveFeed.close();
  });
});

describe("a fault drill", () => {
  it("reaches every student of the room — and no one else — beside their own rules, and lifts cleanly", async () => {
    const room = await newRoom();
    const other = await newRoom("Other");
    const ada = await joined(room, "Ada");
    const bob = await joined(room, "Bob");
    const eve = await joined(other, "Eve");
    const outsider = "outsider0001";
    for (const s of [ada.session, bob.session, eve.session, outsider]) lab.sandboxes.get(s);
    // Ada has a rule of her own.
    const own = await fetch(`${lab.httpUrl}/rest/lab/faults`, {
      method: "PUT",
      headers: { "x-lab-session": ada.session, "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 50, label: "mine" }] }),
    });
    expect(own.status).toBe(200);

    const drilled = await teacher.drill(room.id, "broker-outage", 2);
    expect(drilled.body.drill).toMatchObject({ preset: "broker-outage", title: "Broker outage for 2 min" });
    const rulesOf = (s: string) => lab.sandboxes.peek(s)!.faults.list().map((r) => `${r.id.startsWith("drill-") ? "drill" : r.id}:${r.label}`);
    // The drill reaches the room's sandboxes a few per event-loop turn.
    await expect.poll(() => rulesOf(ada.session)).toEqual(["drill:drill: broker outage", "f1-latency:mine"]);
    expect(rulesOf(bob.session)).toEqual(["drill:drill: broker outage"]);
    expect(rulesOf(eve.session)).toEqual([]);
    expect(rulesOf(outsider)).toEqual([]);

    // It shows in each student's own trace, and the broker refuses their MQTT clients (CONNACK 3).
    for (const s of [ada.session, bob.session]) {
      expect(lab.hub.recent(s).some((e) => e.kind === EventKind.FAULT && e.fault?.kind === "broker_down")).toBe(true);
    }
    expect(lab.hub.recent(eve.session).some((e) => e.kind === EventKind.FAULT)).toBe(false);
    const refused = await mqtt.connectAsync(lab.mqttUrl, { username: bob.session, reconnectPeriod: 0 }).then(
      (c) => c.endAsync().then(() => "connected"),
      (err: Error & { code?: number }) => err.code,
    );
    expect(refused).toBe(3);
    const eveClient = await mqtt.connectAsync(lab.mqttUrl, { username: eve.session, reconnectPeriod: 0 });
    await eveClient.endAsync();

    // A student whose sandbox starts during the drill gets it too.
    const cy = await joined(room, "Cy");
    lab.sandboxes.get(cy.session);
    expect(rulesOf(cy.session)).toEqual(["drill:drill: broker outage"]);

    expect((await teacher.lift(room.id)).body.drill).toBeNull();
    await expect.poll(() => rulesOf(ada.session)).toEqual(["f1-latency:mine"]);
    await expect.poll(() => rulesOf(bob.session)).toEqual([]);
    const back = await mqtt.connectAsync(lab.mqttUrl, { username: bob.session, reconnectPeriod: 0 });
    await back.endAsync();
  });

  it("resets one student's sandbox and keeps the running drill in it", async () => {
    const room = await newRoom();
    const ada = await joined(room, "Ada");
    const bob = await joined(room, "Bob");
    const client = await createNodeLabClient({ mode: "rest", baseUrl: lab.httpUrl, session: ada.session, participant: "Node client" });
    await client.createOrder({ userId: 1n, sku: "sku-book", quantity: 3 });
    lab.sandboxes.get(bob.session).counters.requestsReceived = 7;
    await teacher.drill(room.id, "slow-service", 1);
    const box = lab.sandboxes.peek(ada.session)!;
    await expect.poll(() => box.faults.list().length).toBe(1);
    expect(box.counters.ordersAccepted).toBe(1);
    expect((await teacher.reset(room.id, ada.id)).status).toBe(200);
    expect(box.counters.ordersAccepted).toBe(0);
    expect(box.faults.list().map((r) => r.label)).toEqual(["drill: slow service"]);
    expect(lab.sandboxes.peek(bob.session)!.counters.requestsReceived).toBe(7);
    expect((await teacher.reset(room.id, "nosuchone")).status).toBe(404);
    await client.close();
    await teacher.lift(room.id);
  });
});

describe("one student cannot reach another", () => {
  it("sees only their own state, and the broker keeps them out of each other's topics", async () => {
    const room = await newRoom();
    const ada = await joined(room, "Ada");
    const bob = await joined(room, "Bob");
    await bob.report({ lesson: "01-a", step: 0, passed: true, atUnixMs: now() });
    // Nothing a student can fetch names another student's session or progress.
    const me = (await ada.me()).body;
    expect(JSON.stringify(me)).not.toContain(bob.session);
    expect(JSON.stringify(me)).not.toContain("Bob");
    const feed = await openEvents(`${lab.httpUrl}/rest/class/events`, { "x-lab-session": ada.session });
    const state = await feed.next<StudentState>("state");
    feed.close();
    expect(JSON.stringify(state)).not.toContain(bob.session);
    // A report always lands on the sender's own record.
    await ada.report({ lesson: "01-a", step: 5, passed: true, atUnixMs: now() });
    const rows = (await teacher.room(room.id)).body.students;
    expect(rows.find((r) => r.name === "Bob")!.progress.map((p) => p.step)).toEqual([0]);
    // MQTT: Ada may not subscribe to Bob's topics (SUBACK 0x80, MQTT 3.1.1 §3.9.3).
    const c = await mqtt.connectAsync(lab.mqttUrl, { username: ada.session, reconnectPeriod: 0 });
    await expect(c.subscribeAsync(`lab/${bob.session}/#`)).rejects.toThrow(/Subscribe error/);
    await c.endAsync();
  });

  it("limits joins from one browser", async () => {
    const room = await newRoom();
    const s = await joined(room, "Joiner");
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await s.join(room.code, `Again ${i}`));
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body).toMatchObject({ error: { message: expect.stringContaining("CLASS_RATE_LIMITS.joins") } });
  });
});

describe("students' rate limits", () => {
  it("answers a student over the call limit with 429 / resource_exhausted naming it, in every mode", async () => {
    const room = await newRoom();
    for (const mode of ["rest", "connect", "grpc", "mqtt"] as const) {
      const s = await joined(room, `Student ${mode}`);
      const client = await createNodeLabClient({ mode, baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, mqttUrl: lab.mqttUrl, session: s.session, participant: "Node client" });
      const results = await untilRefused(() => client.getUser(1n), (r) => !r.ok, 16);
      const refused = results.filter((r) => !r.ok);
      expect(refused.length, mode).toBeGreaterThan(0);
      expect(refused[0].status).toBe(mode === "rest" ? "429" : "resource_exhausted");
      if (mode !== "rest") expect(refused[0].error).toMatch(/rate limit: 5 calls per second per student, 10 at once \(STUDENT_CALLS_PER_SECOND\)/);
      await client.close();
    }
    const r = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": (await joined(room, "Rest Body")).session } });
    expect(r.status).toBe(200);
  });

  it("names the limit in a REST 429 with Retry-After, and leaves sessions outside a class alone", async () => {
    const room = await newRoom();
    const s = await joined(room, "Hammer");
    const t0 = Date.now();
    const answers = await untilRefused(() => fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": s.session } }), (a) => a.status === 429, 15);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await limited.json()).error).toMatchObject({ code: "resource_exhausted", limit: 5 });
    // The student's diagram shows a refusal, but not every one of a flood (each would cost the lab more than the call).
    const traced429 = lab.hub.recent(s.session).filter((e) => e.http?.status === 429).length;
    expect(traced429).toBeGreaterThanOrEqual(1);
    // At most one per student per second is traced.
    expect(traced429).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 1000) + 1);
    const free = await Promise.all(Array.from({ length: 15 }, () => fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": "notastudent1" } })));
    expect(free.every((a) => a.status === 200)).toBe(true);
    expect(lab.classroom.admitRun(s.session)).toBeUndefined();
    expect(lab.classroom.admitRun(s.session)).toBeUndefined();
    expect(lab.classroom.admitRun(s.session)).toBeUndefined();
    expect(lab.classroom.admitRun(s.session)?.message).toMatch(/CLASS_RATE_LIMITS.runs/);
  });

  it("limits progress reports per student", async () => {
    const room = await newRoom();
    const s = await joined(room, "Reporter");
    const batch = (from: number) => Array.from({ length: 40 }, (_, i) => ({ lesson: "01-a", step: from + i, passed: true, atUnixMs: now() }));
    expect((await s.report(batch(0))).status).toBe(200);
    const second = await s.report(batch(40));
    expect(second.status).toBe(429);
    expect(second.body).toMatchObject({ error: { message: expect.stringContaining("CLASS_RATE_LIMITS.progress") } });
  });
});

describe("durability", () => {
  it("keeps rooms, students, progress and a running drill across a restart of the lab", async () => {
    const first = await startTestLab({ TEACHER_TOKEN: TOKEN });
    const dir = first.classroom.dataDir;
    const t1 = teacherApi(first.httpUrl, TOKEN);
    const room = (await t1.createRoom("Before")).body;
    const s = studentApi(first.httpUrl);
    const j = (await s.join(room.code, "Ada")).body;
    await s.report({ lesson: "01-first-call", step: 2, passed: true, atUnixMs: now() });
    await t1.drill(room.id, "lossy-queue", 5);
    await first.close();

    const second = await startTestLab({ TEACHER_TOKEN: TOKEN, DATA_DIR: dir });
    try {
      const t2 = teacherApi(second.httpUrl, TOKEN);
      const after = (await t2.room(room.id)).body;
      expect(after.room).toMatchObject({ code: room.code, name: "Before", drill: { preset: "lossy-queue" } });
      expect(after.students[0]).toMatchObject({ name: "Ada", progress: [{ lesson: "01-first-call", step: 2, passed: true }] });
      // The student's session still works, and the drill is back in their sandbox when it starts.
      const again = studentApi(second.httpUrl, j.session);
      expect((await again.me()).body.student.name).toBe("Ada");
      second.sandboxes.get(j.session);
      expect(second.sandboxes.peek(j.session)!.faults.list().map((r) => r.label)).toEqual(["drill: lossy queue", "drill: lossy queue"]);
    } finally {
      await second.close();
    }
  });
});
