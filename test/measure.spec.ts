import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ALL_MODES, createNodeLabClient, type ModeName } from "../lib/client/node";
import {
  EchoRequestSchema,
  Generator,
  LoadShapeSchema,
  LoadModel,
  MeasureCall,
  MeasureService,
  PayloadShape,
  Phase,
  RunConfigSchema,
  RunState,
  type RunConfig,
  type RunUpdate,
} from "../lib/gen/lab/v1/measure_pb";
import { Mode } from "../lib/gen/lab/v1/trace_pb";
import { decodeHistogram, makeEchoRequest, MEASURE_LIMITS, targetFromKey, type TargetKey } from "../lib/measure";
import { startTestLab } from "./helpers/lab";

/**
 * Load runs from the server (MeasureService) on a real lab: both load
 * models count what they should, cancel stops the work on the server,
 * limits are refused naming the limit, one run per session, and the
 * server-wide cap queues runs with their position. Nothing here asserts
 * on speed: other jobs share this machine.
 */
let lab: Awaited<ReturnType<typeof startTestLab>>;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab?.close();
});

let sessions = 0;
const newSession = (name: string) => `m${name}${(sessions++).toString().padStart(3, "0")}`.slice(0, 32);

function measureFor(session: string): Client<typeof MeasureService> {
  return createClient(
    MeasureService,
    createConnectTransport({ baseUrl: `${lab.httpUrl}/rpc`, httpVersion: "1.1", useBinaryFormat: true, interceptors: [(next) => (req) => (req.header.set("x-lab-session", session), next(req))] }),
  );
}

function config(targets: TargetKey[], load: MessageInitShape<typeof LoadShapeSchema>, extra: MessageInitShape<typeof RunConfigSchema> = {}): RunConfig {
  const c = create(RunConfigSchema, extra);
  c.targets = targets.map((k) => targetFromKey(k)!);
  c.call ||= MeasureCall.GET_USER;
  c.generator ||= Generator.SERVER;
  c.load = create(LoadShapeSchema, load);
  return c;
}

async function collect(stream: AsyncIterable<{ update?: RunUpdate }>, onUpdate: (u: RunUpdate) => void = () => {}): Promise<RunUpdate[]> {
  const out: RunUpdate[] = [];
  for await (const r of stream) {
    out.push(r.update!);
    onUpdate(r.update!);
  }
  return out;
}

async function counters(session: string): Promise<Record<string, string>> {
  const res = await fetch(`${lab.httpUrl}/rest/lab/counters`, { headers: { "x-lab-session": session } });
  return ((await res.json()) as { counters: Record<string, string> }).counters;
}

const ok: Record<ModeName, string> = { rest: "200", connect: "ok", "grpc-web": "ok", grpc: "ok", mqtt: "ok" };

describe("Echo, in every mode", () => {
  it.each(ALL_MODES)("%s echoes a 4 KiB payload of users, numbers and text unchanged", async (mode) => {
    const client = await createNodeLabClient({ mode, baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, mqttUrl: lab.mqttUrl, session: newSession("echo"), participant: "Node client" });
    try {
      for (const shape of [PayloadShape.USERS, PayloadShape.NUMBERS, PayloadShape.TEXT]) {
        const request = makeEchoRequest(shape, 4096, 7);
        const r = await client.echo(request);
        expect(r.status, r.error).toBe(ok[mode]);
        expect(toBinary(EchoRequestSchema, create(EchoRequestSchema, { users: r.value!.users, numbers: r.value!.numbers, text: r.value!.text }))).toEqual(toBinary(EchoRequestSchema, request));
        expect(r.requestBytes).toBeGreaterThan(1000);
        expect(r.responseBytes).toBeGreaterThan(1000);
      }
    } finally {
      await client.close();
    }
  });

  it("refuses a payload over 64 KiB (the transport's body limit comes first; echo-service.spec.ts tests the echo's own)", async () => {
    const client = await createNodeLabClient({ mode: "grpc", baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, session: newSession("echobig"), participant: "Node client" });
    const r = await client.echo(create(EchoRequestSchema, { text: "x".repeat(MEASURE_LIMITS.payloadBytes + 10) }));
    await client.close();
    expect(r.ok).toBe(false);
    expect(r.status).toBe("resource_exhausted");
    expect(r.error).toContain("65536");
  });

  it("answers REST POST /rest/echo in seed 1's JSON shape", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/echo`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-lab-session": newSession("echorest") },
      body: JSON.stringify({ users: [{ id: 123, name: "张三", email: "zhangsan@example.com" }], numbers: [1, -2] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ users: [{ id: 123, name: "张三", email: "zhangsan@example.com" }], numbers: [1, -2] });
    const bad = await fetch(`${lab.httpUrl}/rest/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ numbers: ["x"] }) });
    expect(bad.status).toBe(400);
  });
});

describe("server runs", () => {
  it("closed model: N requests per target after the warm-up, every one counted, warm-up shown apart", async () => {
    const session = newSession("closed");
    const updates = await collect(
      measureFor(session).startRun({ config: config(["rest", "grpc"], { model: LoadModel.CLOSED, requests: 300, concurrency: 4, warmupRequests: 40 }) }),
    );
    const last = updates.at(-1)!;
    expect(last.state, last.error).toBe(RunState.DONE);
    expect(last.conditions?.serverAddress).toContain("loopback");
    expect(last.conditions?.cpuCores).toBeGreaterThan(0);
    expect(last.conditions?.cpuMethod).toMatch(/thread|event loop/);
    expect(last.targets.map((t) => t.target?.mode)).toEqual([Mode.REST, Mode.GRPC]);
    for (const t of last.targets) {
      expect(t.phase).toBe(Phase.DONE);
      expect(t.sent).toBe(300n);
      expect(t.ok).toBe(300n);
      expect(t.latency?.count).toBe(300n);
      expect(t.warmup?.count).toBe(40n);
      expect(t.latency?.p999Reliable).toBe(false);
      expect(t.latency!.p50Ms).toBeGreaterThan(0);
      expect(t.latency!.p50Ms).toBeLessThanOrEqual(t.latency!.p99Ms);
      expect(t.latency!.p99Ms).toBeLessThanOrEqual(t.latency!.maxMs);
      expect(t.achievedPerSecond).toBeGreaterThan(0);
      expect(t.offeredPerSecond).toBe(0);
      expect(t.responseBytes).toBeGreaterThan(0);
      // The histogram travels in HdrHistogram's own encoding.
      expect(decodeHistogram(t.hdrHistogram).totalCount).toBe(300);
    }
    // Progress came in more than one step, and the buckets add up to every call.
    expect(updates.filter((u) => u.state === RunState.RUNNING).length).toBeGreaterThan(1);
    const completed = updates.flatMap((u) => u.buckets).reduce((s, b) => s + b.completed, 0);
    expect(completed).toBe(2 * 340);
    // The session's services saw exactly those calls (REST edge + gRPC).
    expect(Number((await counters(session)).requestsReceived)).toBe(2 * 340);
  });

  it("open model: R/s for D, offered vs achieved, latency from the intended send time", async () => {
    const session = newSession("open");
    const updates = await collect(
      measureFor(session).startRun({ config: config(["connect-binary"], { model: LoadModel.OPEN, ratePerSecond: 100, durationMs: 1500, warmupMs: 500, concurrency: 8 }) }),
    );
    const last = updates.at(-1)!;
    expect(last.state, last.error).toBe(RunState.DONE);
    const t = last.targets[0];
    expect(t.offeredPerSecond).toBe(100);
    expect(t.sent).toBe(150n);
    expect(t.latency?.count).toBe(150n);
    expect(t.warmup?.count).toBe(50n);
    expect(t.achievedPerSecond).toBeGreaterThan(0);
    const buckets = updates.flatMap((u) => u.buckets);
    expect(buckets.reduce((s, b) => s + b.offered, 0)).toBe(200);
  });

  it("applies the session's faults: a 30 ms latency rule shows in every percentile", async () => {
    const session = newSession("fault");
    const put = await fetch(`${lab.httpUrl}/rest/lab/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-lab-session": session },
      body: JSON.stringify({ rules: [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 30, target: { service: "UserService" } }] }),
    });
    expect(put.status).toBe(200);
    const updates = await collect(measureFor(session).startRun({ config: config(["grpc-web"], { model: LoadModel.CLOSED, requests: 20, concurrency: 4, warmupRequests: 0 }) }));
    const last = updates.at(-1)!;
    expect(last.state).toBe(RunState.DONE);
    expect(last.targets[0].latency!.p50Ms).toBeGreaterThanOrEqual(30);
    expect(last.conditions?.faults.length).toBe(1);
  });

  it("cancel stops the work on the server: no more calls reach the services", async () => {
    const session = newSession("cancel");
    const measure = measureFor(session);
    let runId = "";
    const seen: RunUpdate[] = [];
    const done = collect(measure.startRun({ config: config(["rest"], { model: LoadModel.OPEN, ratePerSecond: 50, durationMs: 20_000, warmupMs: 0, concurrency: 4 }) }), (u) => {
      runId ||= u.runId;
      seen.push(u);
    });
    await expect.poll(() => seen.some((u) => u.state === RunState.RUNNING && u.targets[0]?.sent > 10n), { timeout: 15_000 }).toBe(true);
    expect((await measure.cancelRun({ runId })).cancelled).toBe(true);
    const updates = await done;
    expect(updates.at(-1)!.state).toBe(RunState.CANCELLED);
    const after = Number((await counters(session)).requestsReceived);
    await new Promise((r) => setTimeout(r, 800));
    expect(Number((await counters(session)).requestsReceived)).toBe(after);
    expect(after).toBeLessThan(50 * 20);
  });

  it("closing the stream cancels the run as well", async () => {
    const session = newSession("abort");
    const abort = new AbortController();
    const measure = measureFor(session);
    const stream = measure.startRun({ config: config(["rest"], { model: LoadModel.OPEN, ratePerSecond: 50, durationMs: 20_000, warmupMs: 0, concurrency: 4 }) }, { signal: abort.signal });
    let sent = 0n;
    await expect(
      (async () => {
        for await (const r of stream) {
          sent = r.update!.targets[0]?.sent ?? 0n;
          if (sent > 10n) abort.abort();
        }
      })(),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    const after = Number((await counters(session)).requestsReceived);
    await new Promise((r) => setTimeout(r, 800));
    expect(Number((await counters(session)).requestsReceived)).toBe(after);
    // And the session may start a new run: the old one is gone.
    const again = await collect(measure.startRun({ config: config(["rest"], { model: LoadModel.CLOSED, requests: 5, concurrency: 1 }) }));
    expect(again.at(-1)!.state).toBe(RunState.DONE);
  });

  it("refuses a run over a limit, naming it", async () => {
    const measure = measureFor(newSession("limits"));
    const refused = async (c: RunConfig) => {
      try {
        for await (const _ of measure.startRun({ config: c })) void _;
      } catch (err) {
        return ConnectError.from(err);
      }
      throw new Error("not refused");
    };
    const rate = await refused(config(["rest"], { model: LoadModel.OPEN, ratePerSecond: 6000, durationMs: 1000, concurrency: 10 }));
    expect(rate.code).toBe(3);
    expect(rate.rawMessage).toContain("MEASURE_LIMITS.ratePerSecond");
    const length = await refused(config(["rest", "grpc"], { model: LoadModel.OPEN, ratePerSecond: 10, durationMs: 31_000, concurrency: 10 }));
    expect(length.rawMessage).toContain("MEASURE_LIMITS.runMs");
    const conc = await refused(config(["rest"], { model: LoadModel.CLOSED, requests: 10, concurrency: 101 }));
    expect(conc.rawMessage).toContain("MEASURE_LIMITS.concurrency");
    const payload = await refused(config(["rest"], { model: LoadModel.CLOSED, requests: 10, concurrency: 1 }, { call: MeasureCall.ECHO, payload: { shape: PayloadShape.TEXT, bytes: 70_000 } }));
    expect(payload.rawMessage).toContain("MEASURE_LIMITS.payloadBytes");
    const browser = await refused(config(["rest"], { model: LoadModel.CLOSED, requests: 10, concurrency: 1 }, { generator: Generator.BROWSER }));
    expect(browser.rawMessage).toContain("browser run runs in the page");
  });

  it("one run at a time per session; beyond the server-wide cap runs queue with their position", async () => {
    const long = () => config(["rest"], { model: LoadModel.OPEN, ratePerSecond: 20, durationMs: 20_000, warmupMs: 0, concurrency: 2 });
    const sessionsUsed = [newSession("capa"), newSession("capb"), newSession("capc")];
    const [a, b, c] = sessionsUsed.map(measureFor);
    const aborts = sessionsUsed.map(() => new AbortController());
    const updates: RunUpdate[][] = [[], [], []];
    const streams = [a, b, c].map((m, i) =>
      collect(m.startRun({ config: long() }, { signal: aborts[i].signal }), (u) => updates[i].push(u)).catch(() => updates[i]),
    );
    // MEASURE_LIMITS.serverConcurrentRuns (2) run; the third waits first in line.
    expect(MEASURE_LIMITS.serverConcurrentRuns).toBe(2);
    await expect.poll(() => updates[2].at(-1)?.state, { timeout: 15_000 }).toBe(RunState.QUEUED);
    expect(updates[2].at(-1)!.queuePosition).toBe(1);
    // A second run of a running session is refused.
    await expect(collect(a.startRun({ config: long() }))).rejects.toThrow(/MEASURE_LIMITS\.runsPerSession/);
    // When one ends, the queued run starts.
    expect((await a.cancelRun({})).cancelled).toBe(true);
    await expect.poll(() => updates[2].some((u) => u.state === RunState.RUNNING), { timeout: 15_000 }).toBe(true);
    aborts.forEach((x) => x.abort());
    await Promise.all(streams);
  });
});
