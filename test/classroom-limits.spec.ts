import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Generator, LoadModel, MeasureCall, MeasureService, RunConfigSchema, RunState, type RunUpdate } from "../lib/gen/lab/v1/measure_pb";
import { Mode } from "../lib/gen/lab/v1/trace_pb";
import { studentApi, teacherApi } from "./helpers/classroom";
import { startTestLab } from "./helpers/lab";

/**
 * The classroom's fair share on a real lab, over real sockets: a student
 * hammering the lab from a closed loop is held, not just refused (429 with
 * Retry-After, answered when the window opens, so the tool's rate
 * collapses to the limit), held refusals are bounded, and a student's load
 * run has a ceiling of its own (STUDENT_RUN_RATE_PER_SECOND).
 */
const TOKEN = "test-teacher-token-limits-0123";
const CALLS_PER_SECOND = 10;
let lab: Awaited<ReturnType<typeof startTestLab>>;
let roomCode: string;

beforeAll(async () => {
  lab = await startTestLab({ TEACHER_TOKEN: TOKEN, STUDENT_CALLS_PER_SECOND: String(CALLS_PER_SECOND), STUDENT_RUN_RATE_PER_SECOND: "8", HELD_REFUSALS_PER_STUDENT: "3" });
  roomCode = (await teacherApi(lab.httpUrl, TOKEN).createRoom("Limits")).body.code;
});
afterAll(async () => {
  await lab?.close();
});

async function student(name: string): Promise<string> {
  const r = await studentApi(lab.httpUrl).join(roomCode, name);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.session;
}

interface Answer {
  status: number;
  retryAfter?: string;
  connection?: string;
  body: string;
  ms: number;
}

/** GET on the agent's connection; resolves with the answer once its body is read. */
function get(agent: http.Agent, path: string, session: string): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${lab.httpUrl}${path}`, { agent, headers: { "x-lab-session": session } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], connection: res.headers.connection, body, ms: performance.now() - t0 }),
        );
      })
      .on("error", reject);
  });
}

describe("a student hammering the lab", () => {
  it("is held: 429 with Retry-After once the window opens, so a closed loop's rate collapses to the limit", async () => {
    const session = await student("Closed Loop");
    // One keep-alive connection, each request sent the moment the previous answer is read (autocannon -c 1).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answers: Answer[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 2_000) answers.push(await get(agent, "/rest/users/1", session));
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.retryAfter).toBe("1");
      expect(JSON.parse(r.body).error).toMatchObject({ code: "resource_exhausted", limit: CALLS_PER_SECOND });
      expect(JSON.parse(r.body).error.message).toMatch(/STUDENT_CALLS_PER_SECOND/);
    }
    // The burst (2 × the rate) and then the rate get through; the refusals are held, not repeated at once.
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(CALLS_PER_SECOND);
    expect(answers.length / seconds).toBeLessThan(4 * CALLS_PER_SECOND + 2 * CALLS_PER_SECOND / seconds);
    // A held refusal waited for the next token (up to 100 ms at 10/s), not nothing.
    const median = refused.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(refused.length / 2)];
    expect(median).toBeGreaterThanOrEqual(20);
    // The connection stayed open throughout: held, not closed.
    expect(refused.every((r) => r.connection !== "close")).toBe(true);
  });

  it("bounds the refusals held per student: past HELD_REFUSALS_PER_STUDENT, 429 at once and the connection closes", async () => {
    const session = await student("Many Sockets");
    const other = await student("Bystander");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
    // Spend the burst, then 12 at once: 3 are held, the rest are answered at once and closed.
    await Promise.all(Array.from({ length: 2 * CALLS_PER_SECOND }, () => get(agent, "/rest/users/1", session)));
    const flood = Array.from({ length: 12 }, () => get(agent, "/rest/users/1", session));
    // Another student is not held behind them.
    const bystander = await get(new http.Agent(), "/rest/users/1", other);
    expect(bystander.status).toBe(200);
    expect(bystander.ms).toBeLessThan(1_000);
    const answers = await Promise.all(flood);
    agent.destroy();
    const closed = answers.filter((a) => a.status === 429 && a.connection === "close");
    expect(closed.length).toBeGreaterThan(0);
    expect(JSON.parse(closed[0].body).error.message).toMatch(/HELD_REFUSALS_PER_STUDENT = 3\); this connection is closed/);
    expect(closed[0].retryAfter).toBe("1");
    // The held ones come back one token-interval apart.
    const held = answers.filter((a) => a.status === 429 && a.connection !== "close");
    expect(held.length).toBeLessThanOrEqual(3);
  });

  it("holds a refused Connect call too, answering resource_exhausted with Retry-After", async () => {
    const session = await student("Connect Loop");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<Answer>((resolve, reject) => {
        const t0 = performance.now();
        const req = http.request(`${lab.httpUrl}/rpc/lab.v1.UserService/GetUser`, { method: "POST", agent, headers: { "x-lab-session": session, "content-type": "application/json" } }, (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body, ms: performance.now() - t0 }));
        });
        req.on("error", reject);
        req.end('{"id":"1"}');
      });
    const answers: Answer[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 1_500) answers.push(await post());
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const refused = answers.find((a) => a.status === 429);
    expect(refused).toBeDefined();
    expect(refused!.retryAfter).toBe("1");
    expect(JSON.parse(refused!.body)).toMatchObject({ code: "resource_exhausted" });
    expect(JSON.parse(refused!.body).message).toMatch(/STUDENT_CALLS_PER_SECOND/);
    // The burst, then about the limit: held, not refused again at once.
    expect(answers.length).toBeLessThan(2 * CALLS_PER_SECOND + 4 * CALLS_PER_SECOND * seconds);
  });
});

describe("a student's load run in a room", () => {
  const measure = (session: string) =>
    createClient(MeasureService, createConnectTransport({ baseUrl: `${lab.httpUrl}/rpc`, httpVersion: "1.1", interceptors: [(next) => (req) => (req.header.set("x-lab-session", session), next(req))] }));
  const run = async (session: string, load: { model: LoadModel; ratePerSecond?: number; durationMs?: number; requests?: number; concurrency: number }) => {
    const config = create(RunConfigSchema, { targets: [{ mode: Mode.REST }], call: MeasureCall.GET_USER, generator: Generator.SERVER, load });
    let last: RunUpdate | undefined;
    for await (const { update } of measure(session).startRun({ config })) if (update) last = update;
    return last!;
  };

  it("refuses an open-model run over STUDENT_RUN_RATE_PER_SECOND, naming it; outside a room the same run goes", async () => {
    const session = await student("Max Run");
    const err = await run(session, { model: LoadModel.OPEN, ratePerSecond: 5_000, durationMs: 1_000, concurrency: 100 }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toMatch(/^load\.ratePerSecond 5,000\/s is over the classroom's limit of 8\/s per student \(STUDENT_RUN_RATE_PER_SECOND\)/);
    // Outside a room, MEASURE_LIMITS alone apply.
    const free = await run("notinaroom01", { model: LoadModel.OPEN, ratePerSecond: 50, durationMs: 200, concurrency: 10 });
    expect(free.state).toBe(RunState.DONE);
  });

  it("paces a closed-model run to the limit, so none of its calls is refused", async () => {
    const session = await student("Closed Run");
    const t0 = performance.now();
    const last = await run(session, { model: LoadModel.CLOSED, requests: 12, concurrency: 100 });
    const seconds = (performance.now() - t0) / 1000;
    const t = last.targets[0];
    expect(last.state).toBe(RunState.DONE);
    expect(Number(t.ok)).toBe(12);
    expect(Object.keys(t.errors)).toHaveLength(0);
    // 12 requests (no warm-up) at 8/s: the last is sent 11/8 s after the first.
    expect(seconds).toBeGreaterThan(1);
    expect(t.note).toMatch(/paced to at most 8\/s \(STUDENT_RUN_RATE_PER_SECOND\)/);
  });
});

describe("the gateway's exemption", () => {
  it("is not had by naming the gateway: x-lab-from: Gateway is limited like any call, and the secret never shows in the trace", async () => {
    const session = await student("Spoofer");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const spoofed = () =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${lab.httpUrl}/rest/users/1`, { agent, headers: { "x-lab-session": session, "x-lab-from": "Gateway", "x-lab-internal": "a-guess" } }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          })
          .on("error", reject);
      });
    const statuses = await Promise.all(Array.from({ length: 4 * CALLS_PER_SECOND }, spoofed));
    agent.destroy();
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // The gateway's own hops (GetUser over gRPC) went through, and their secret is redacted in the trace.
    const internal = lab.hub
      .recent(session)
      .map((e) => e.http?.headers?.["x-lab-internal"])
      .filter((v) => v !== undefined);
    expect(internal.length).toBeGreaterThan(0);
    expect(new Set(internal)).toEqual(new Set(["(redacted)"]));
  });
});
