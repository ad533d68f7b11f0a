import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import type { CallResult, LabClient } from "../client/types";
import { Generator, LoadModel, MeasureCall, RunConditionsSchema, RunConfigSchema, RunState, type RunConfig, type RunUpdate } from "../gen/lab/v1/measure_pb";
import { decodeHistogram } from "./histogram";
import { normaliseRunConfig, runConfigProblems } from "./limits";
import { executeRun } from "./run";
import { targetFromKey } from "./targets";

/**
 * The runner on a simulated clock: time moves only when every pending
 * promise has settled, so a "server" that stalls for exactly one second
 * stalls for exactly one second, whatever else runs on this machine.
 */
class Sim {
  t = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now = () => this.t;

  at(at: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: Math.max(at, this.t), resolve });
      this.timers.sort((a, b) => a.at - b.at);
    });
  }

  /** Runs until `done` settles: flush, then jump to the next timer. */
  async drive<T>(done: Promise<T>): Promise<T> {
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (finished) return done;
      const next = this.timers.shift();
      if (!next) throw new Error("simulation stuck: nothing scheduled and the run has not ended");
      this.t = next.at;
      next.resolve();
    }
  }
}

/** A GetUser that takes `serviceMs`, except that the "server" is paused during [pauseFrom, pauseTo). */
function fakeClient(sim: Sim, o: { serviceMs?: number; pauseFrom?: number; pauseTo?: number; fail?: (i: number) => string | undefined } = {}): LabClient {
  let i = 0;
  const call = async (): Promise<CallResult<unknown>> => {
    const n = i++;
    const start = sim.now();
    let end = start + (o.serviceMs ?? 1);
    if (o.pauseFrom !== undefined && o.pauseTo !== undefined && end > o.pauseFrom && start < o.pauseTo) end = o.pauseTo + (o.serviceMs ?? 1);
    await sim.at(end);
    const status = o.fail?.(n);
    return { ok: !status, status: status ?? "ok", latencyMs: end - start, requestBytes: 10, responseBytes: 40, spanId: "s", spanIds: ["s"], attempts: 1, retried: false };
  };
  return { mode: "rest", getUser: call, close: async () => {} } as unknown as LabClient;
}

function runIn(sim: Sim, config: RunConfig, client: LabClient, abort = new AbortController()) {
  const c = normaliseRunConfig(config, () => 1n);
  expect(runConfigProblems(c)).toEqual([]);
  const updates: RunUpdate[] = [];
  const done = executeRun(c, {
    runId: "sim",
    createClient: async () => client,
    now: sim.now,
    waitUntil: (at) => sim.at(at),
    cpuMs: (busy) => busy,
    conditions: create(RunConditionsSchema),
    emit: (u) => updates.push(u),
    signal: abort.signal,
    updateEveryMs: 1_000_000,
  });
  return { done: sim.drive(done), updates };
}

const closed = (requests: number, concurrency: number, warmupRequests = 0) =>
  create(RunConfigSchema, { targets: [targetFromKey("rest")!], call: MeasureCall.GET_USER, generator: Generator.SERVER, load: { model: LoadModel.CLOSED, requests, concurrency, warmupRequests } });
const open = (ratePerSecond: number, durationMs: number, concurrency: number, warmupMs = 0) =>
  create(RunConfigSchema, { targets: [targetFromKey("rest")!], call: MeasureCall.GET_USER, generator: Generator.SERVER, load: { model: LoadModel.OPEN, ratePerSecond, durationMs, concurrency, warmupMs } });

describe("the runner", () => {
  it("open model: a 1 s server pause in a 10 s run at 100/s puts p99 above 900 ms (latency from the intended send time)", async () => {
    const sim = new Sim();
    const { done } = runIn(sim, open(100, 10_000, 10), fakeClient(sim, { pauseFrom: 5_000, pauseTo: 6_000 }));
    const last = await done;
    const t = last.targets[0];
    expect(last.state).toBe(RunState.DONE);
    expect(t.sent).toBe(1000n);
    expect(t.latency!.count).toBe(1000n);
    // 100 of the 1,000 requests were due during the pause: their latency runs up to 1 s.
    expect(t.latency!.p99Ms).toBeGreaterThanOrEqual(900);
    expect(t.latency!.p50Ms).toBeLessThan(10);
    expect(t.latency!.maxMs).toBeGreaterThanOrEqual(1000);
    expect(t.achievedPerSecond).toBeCloseTo(100, 0);
  });

  it("closed model: the same pause hides in one sample per connection (coordinated omission), as autocannon without -R reports it", async () => {
    const sim = new Sim();
    const { done } = runIn(sim, closed(10_000, 1), fakeClient(sim, { pauseFrom: 5_000, pauseTo: 6_000 }));
    const t = (await done).targets[0];
    expect(t.latency!.count).toBe(10_000n);
    expect(t.latency!.p99Ms).toBeLessThan(2);
    expect(t.latency!.maxMs).toBeGreaterThanOrEqual(1000);
  });

  it("closed model: keeps C in flight, discards the warm-up, counts failures by status", async () => {
    const sim = new Sim();
    let inFlight = 0;
    let most = 0;
    const inner = fakeClient(sim, { serviceMs: 5, fail: (i) => (i % 10 === 0 ? "503" : undefined) });
    const client = {
      ...inner,
      getUser: async (id: bigint) => {
        most = Math.max(most, ++inFlight);
        const r = await inner.getUser(id);
        inFlight--;
        return r;
      },
    } as LabClient;
    const { done, updates } = runIn(sim, closed(500, 8, 100), client);
    const last = await done;
    const t = last.targets[0];
    expect(most).toBe(8);
    expect(t.sent).toBe(500n);
    expect(t.warmup!.count).toBe(100n);
    expect(t.latency!.count).toBe(500n);
    expect(t.ok + (t.errors["503"] ?? 0n)).toBe(500n);
    expect(t.errors["503"]).toBe(50n);
    expect(t.requestBytes).toBe(10);
    expect(t.responseBytes).toBe(40);
    // 8 in flight, 5 ms each: 1,600/s (63 rounds of 8 for 500 calls: 1,587/s).
    expect(t.achievedPerSecond).toBeGreaterThan(1500);
    expect(t.achievedPerSecond).toBeLessThanOrEqual(1600);
    expect(decodeHistogram(t.hdrHistogram).totalCount).toBe(500);
    const buckets = updates.concat(last).flatMap((u) => u.buckets);
    expect(buckets.reduce((s, b) => s + b.completed, 0)).toBe(600);
    expect(buckets.reduce((s, b) => s + b.warmup, 0)).toBe(100);
  });

  it("open model: a due request that finds all C slots busy waits, and its wait counts", async () => {
    const sim = new Sim();
    // 50 ms per call, 1 slot, 100/s: the server can do 20/s, so latency grows through the run.
    const { done } = runIn(sim, open(100, 1_000, 1), fakeClient(sim, { serviceMs: 50 }));
    const t = (await done).targets[0];
    expect(t.sent).toBe(100n);
    // The last request was due at 990 ms and sent at about 4,950 ms.
    expect(t.latency!.maxMs).toBeGreaterThan(3_900);
    expect(t.achievedPerSecond).toBeLessThan(25);
    expect(t.maxSendLagMs).toBeGreaterThan(3_900);
  });

  it("stops at once when cancelled, reporting what was in flight", async () => {
    const sim = new Sim();
    const abort = new AbortController();
    const client = fakeClient(sim, { serviceMs: 30 });
    const { done } = runIn(sim, open(100, 10_000, 10), client, abort);
    void sim.at(2_000).then(() => abort.abort());
    const last = await done;
    expect(last.state).toBe(RunState.CANCELLED);
    const t = last.targets[0];
    expect(Number(t.sent)).toBeGreaterThan(150);
    expect(Number(t.sent)).toBeLessThan(250);
    expect(t.note).toMatch(/cancelled with \d+ calls in flight/);
    expect(sim.t).toBeLessThan(2_100);
  });

  it("warm-up of an open run is the first seconds at the same rate, left out of the results", async () => {
    const sim = new Sim();
    const { done } = runIn(sim, open(200, 1_000, 10, 500), fakeClient(sim));
    const t = (await done).targets[0];
    expect(t.warmup!.count).toBe(100n);
    expect(t.latency!.count).toBe(200n);
    expect(t.measureStartMs).toBe(500);
  });
});
