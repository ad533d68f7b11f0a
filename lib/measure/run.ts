import { create } from "@bufbuild/protobuf";
import type { CallResult, LabClient } from "../client/types";
import {
  LoadModel,
  MeasureCall,
  Phase,
  RunState,
  RunUpdateSchema,
  TargetResultSchema,
  type IntervalBucket,
  type LatencySummary,
  type MeasureTarget,
  type RunConditions,
  type RunConfig,
  type RunUpdate,
  type TargetResult,
} from "../gen/lab/v1/measure_pb";
import { encodeHistogram, summarise } from "./histogram";
import { closedTargetCapMs, MEASURE_LIMITS, plannedRunMs } from "./limits";
import { makeEchoRequest } from "./payload";
import { BusyMeter, TargetRecorder } from "./recorder";

/**
 * The one load runner, for the server's run worker (service → service) and
 * the page's Web Worker (browser → service) alike. The host supplies the
 * clients, the clock, the waits and the CPU reading; everything measured
 * and reported is decided here.
 *
 * Closed model (N at concurrency C, as autocannon without -R): C loops each
 * send the next request when their previous one returns; latency runs from
 * the actual send. Open model (R/s for D, as wrk2 and autocannon -R):
 * request i is due at start + i/R whatever happened before; latency runs
 * from that intended time, so a server that stalls for a second is charged
 * for every request the schedule meant to send during the stall, not only
 * for the C that were in flight (coordinated omission). At most C requests
 * are in flight (wrk2's and autocannon's connections); a due request that
 * finds none free waits, and the wait counts.
 *
 * Targets are measured one after another, each with its warm-up (left out
 * of the results and shown as such), so they never compete for the machine.
 */
export interface RunHost {
  runId: string;
  /** Makes a client for a target; a failure ends the target with a note. */
  createClient(target: MeasureTarget): Promise<LabClient>;
  /** Monotonic clock, ms. */
  now(): number;
  /** Resolves at `at` on the clock, or soon after; short waits must not be clamped to several ms. */
  waitUntil(at: number): Promise<void>;
  /**
   * The generator's CPU time so far in ms; `runnerBusyMs` is the time the
   * runner spent in its own synchronous code, for hosts that cannot read a
   * thread's CPU time.
   */
  cpuMs(runnerBusyMs: number): number;
  conditions: RunConditions;
  /** The machine's 1-minute load average, where the host can read it (Node); recorded at the end of the run. */
  loadAverage?: () => number;
  emit(update: RunUpdate): void;
  signal: AbortSignal;
  /** Time between two progress updates, in ms (default 250). */
  updateEveryMs?: number;
  /**
   * A ceiling on the rate (a classroom's per-student limit, named by
   * `limit`): a closed-model target sends request i no sooner than i/perSecond
   * after its start. Open-model runs are refused over it before they start.
   */
  pace?: { perSecond: number; limit: string };
}

/** The bucket length of the charts over time: about 100–200 points per target. */
export function intervalMsFor(config: RunConfig): number {
  const perTarget = plannedRunMs(config) / Math.max(1, config.targets.length);
  if (config.load?.model !== LoadModel.OPEN) return 250;
  return perTarget <= 15_000 ? 100 : perTarget <= 30_000 ? 250 : 500;
}

/** The call a run repeats, bound to a client. */
export function callFor(config: RunConfig): (c: LabClient) => Promise<CallResult<unknown>> {
  switch (config.call) {
    case MeasureCall.LIST_USERS:
      return (c) => c.listUsers({ limit: 0, intervalMs: 0 });
    case MeasureCall.ECHO: {
      const request = makeEchoRequest(config.payload!.shape, config.payload!.bytes, config.seed);
      return (c) => c.echo(request);
    }
    default:
      return (c) => c.getUser(1n);
  }
}

interface TargetRun {
  recorder: TargetRecorder;
  phase: Phase;
  /** On the runner's clock. */
  measureStartAt: number;
  cpuAtStart: number;
  cpuShare: number;
  inFlight: number;
  maxSendLagMs: number;
  note: string;
  /** 0–1 within the target. */
  progress: () => number;
  /** The measured histogram, encoded: final once the target is done, else refreshed at most once a second. */
  encoded?: string;
  /** The measured phase's summary while the target runs, refreshed with `encoded`. */
  latency?: LatencySummary;
  encodedAt: number;
  /** The warm-up's summary and the count it was made at (warm-up answers stop coming soon after measuring starts). */
  warmup?: LatencySummary;
  warmupCount: number;
  final?: TargetResult;
}

/**
 * How often a running target's histogram is encoded for the page's live
 * percentile curve, and its summary (percentiles, mean) made again, in ms.
 * Each is a pass over the histogram's counts; at every progress update
 * (four a second) they were a fifth of the load generator's CPU, which on
 * two cores is taken from the server being measured.
 */
const LIVE_HISTOGRAM_MS = 1_000;

/** Runs a normalised, checked configuration to the end (or cancel) and returns the last update. */
export async function executeRun(config: RunConfig, host: RunHost): Promise<RunUpdate> {
  const load = config.load!;
  const busy = new BusyMeter(() => host.now());
  const runStart = host.now();
  const startedUnixMs = Date.now();
  const intervalMs = intervalMsFor(config);
  const call = callFor(config);
  const runs: (TargetRun | undefined)[] = config.targets.map(() => undefined);
  let current = 0;
  let first = true;

  const targetResult = (i: number): TargetResult => {
    const run = runs[i];
    const target = config.targets[i];
    if (!run) return create(TargetResultSchema, { target, phase: Phase.WAITING });
    if (run.final) return run.final;
    const r = run.recorder;
    // The measured phase runs from its first send to its last answer (to now while it runs).
    const end = run.phase === Phase.DONE ? r.lastAnswerAt : host.now();
    const measuredMs = run.measureStartAt > 0 ? Math.max(0, end - run.measureStartAt) : 0;
    const n = r.finished;
    const live = run.phase !== Phase.DONE;
    if (live && n > 0 && host.now() - run.encodedAt >= LIVE_HISTOGRAM_MS) {
      run.encoded = encodeHistogram(r.measured);
      run.latency = summarise(r.measured);
      run.encodedAt = host.now();
    }
    if (run.warmup === undefined || run.warmupCount !== r.warm.totalCount) {
      run.warmup = summarise(r.warm);
      run.warmupCount = r.warm.totalCount;
    }
    const result = create(TargetResultSchema, {
      target,
      phase: run.phase,
      latency: live ? (run.latency ?? summarise(r.measured)) : summarise(r.measured),
      warmup: run.warmup,
      hdrHistogram: run.encoded ?? "",
      sent: BigInt(r.sent),
      ok: BigInt(r.ok),
      errors: Object.fromEntries([...r.errors].map(([k, v]) => [k, BigInt(v)])),
      offeredPerSecond: load.model === LoadModel.OPEN ? load.ratePerSecond : 0,
      achievedPerSecond: measuredMs > 0 ? (n / measuredMs) * 1000 : 0,
      measuredMs,
      generatorCpu: run.cpuShare,
      requestBytes: n > 0 ? r.requestBytes / n : 0,
      responseBytes: n > 0 ? r.responseBytes / n : 0,
      unfinished: BigInt(run.phase === Phase.DONE ? run.inFlight : 0),
      maxSendLagMs: run.maxSendLagMs,
      startMs: r.startAt - runStart,
      measureStartMs: run.measureStartAt > 0 ? run.measureStartAt - runStart : 0,
      note: run.note,
    });
    return result;
  };

  const planned = plannedRunMs(config);
  const progress = () => {
    const run = runs[current];
    const within = run ? Math.min(1, run.progress()) : 0;
    return Math.min(1, (current + within) / config.targets.length);
  };

  const snapshot = (state: RunState, error = ""): RunUpdate => {
    const buckets: IntervalBucket[] = [];
    for (const run of runs) if (run) buckets.push(...run.recorder.takeBuckets());
    const elapsed = host.now() - runStart;
    const p = progress();
    const done = state !== RunState.RUNNING;
    // Open runs know their length; closed ones extrapolate their pace once it is known (-1 until then).
    const remaining = done ? 0 : load.model === LoadModel.OPEN ? Math.max(0, planned - elapsed) : p > 0.02 ? (elapsed / p) * (1 - p) : -1;
    const update = create(RunUpdateSchema, {
      runId: host.runId,
      state,
      elapsedMs: elapsed,
      remainingMs: remaining,
      progress: done && state === RunState.DONE ? 1 : p,
      currentTarget: current,
      targets: config.targets.map((_, i) => targetResult(i)),
      buckets,
      startedUnixMs,
      error,
    });
    if (first || done) {
      if (done && host.loadAverage) host.conditions.loadAfter = host.loadAverage();
      update.config = config;
      update.conditions = host.conditions;
      first = false;
    }
    return update;
  };

  const timer = setInterval(() => {
    const run = runs[current];
    if (run && run.phase !== Phase.DONE) run.recorder.advance(host.now());
    host.emit(snapshot(RunState.RUNNING));
  }, host.updateEveryMs ?? 250);

  try {
    host.emit(snapshot(RunState.RUNNING));
    for (current = 0; current < config.targets.length && !host.signal.aborted; current++) {
      await runTarget(current);
    }
    return snapshot(host.signal.aborted ? RunState.CANCELLED : RunState.DONE);
  } catch (err) {
    return snapshot(RunState.FAILED, (err as Error).message);
  } finally {
    clearInterval(timer);
  }

  async function runTarget(index: number): Promise<void> {
    const target = config.targets[index];
    const open = load.model === LoadModel.OPEN;
    const dt = open ? 1000 / load.ratePerSecond : 0;
    const warmCount = open ? Math.floor((load.warmupMs * load.ratePerSecond) / 1000) : load.warmupRequests;
    const total = open ? Math.floor(((load.warmupMs + load.durationMs) * load.ratePerSecond) / 1000) : load.warmupRequests + load.requests;
    let client: LabClient;
    const startAt = host.now();
    const offered = open
      ? (from: number, to: number) => Math.max(0, Math.min(total, Math.ceil(to / dt)) - Math.min(total, Math.ceil(from / dt)))
      : undefined;
    const run: TargetRun = {
      recorder: new TargetRecorder(index, startAt, intervalMs, offered),
      phase: Phase.WARMUP,
      measureStartAt: 0,
      cpuAtStart: host.cpuMs(busy.busyMs),
      cpuShare: 0,
      inFlight: 0,
      maxSendLagMs: 0,
      note: "",
      progress: () => 0,
      encodedAt: -Infinity,
      warmupCount: -1,
    };
    runs[index] = run;
    const rec = run.recorder;
    try {
      client = await host.createClient(target);
    } catch (err) {
      run.note = `could not make a client: ${(err as Error).message}`;
      finishTarget(run);
      return;
    }

    // Slots: at most `concurrency` calls in flight.
    let wake: (() => void) | undefined;
    const slotFree = () => new Promise<void>((resolve) => (wake = resolve));
    const aborted = new Promise<void>((resolve) => host.signal.addEventListener("abort", () => resolve(), { once: true }));
    let done = 0;

    const send = (i: number, startedAt: number) => {
      const warm = i < warmCount;
      if (!warm && run.measureStartAt === 0) {
        run.measureStartAt = startedAt;
        run.phase = Phase.MEASURING;
      }
      if (!warm) rec.sent++;
      run.inFlight++;
      let p: Promise<CallResult<unknown>>;
      try {
        p = call(client);
      } catch (err) {
        p = Promise.reject(err);
      }
      return p.then(
        (r) => r,
        () => undefined,
      ).then((r) => {
        busy.enter();
        const at = host.now();
        run.inFlight--;
        done++;
        rec.record(at - startedAt, r, warm, at);
        const w = wake;
        wake = undefined;
        w?.();
        busy.leave();
      });
    };

    const capAt = startAt + closedTargetCapMs(config);
    if (open) {
      run.progress = () => Math.min(1, (host.now() - startAt) / (load.warmupMs + load.durationMs));
      for (let i = 0; i < total && !host.signal.aborted; ) {
        const intended = startAt + i * dt;
        const now = host.now();
        if (now < intended) {
          await Promise.race([host.waitUntil(intended), aborted]);
          continue;
        }
        if (run.inFlight >= load.concurrency) {
          await Promise.race([slotFree(), aborted]);
          continue;
        }
        busy.enter();
        run.maxSendLagMs = Math.max(run.maxSendLagMs, now - intended);
        void send(i, intended);
        busy.leave();
        i++;
      }
    } else {
      run.progress = () => done / total;
      let next = 0;
      const pace = host.pace;
      if (pace) run.note = `paced to at most ${pace.perSecond}/s (${pace.limit})`;
      const loop = async () => {
        while (next < total && !host.signal.aborted) {
          if (host.now() >= capAt) {
            run.note = `stopped at its share of the ${MEASURE_LIMITS.runMs / 1000} s run limit after ${Math.max(0, next - warmCount)} of ${load.requests} requests${pace ? `, paced to at most ${pace.perSecond}/s (${pace.limit})` : ""}`;
            return;
          }
          const i = next++;
          if (pace) {
            const due = startAt + (i * 1000) / pace.perSecond;
            if (host.now() < due) await Promise.race([host.waitUntil(due), aborted]);
            if (host.signal.aborted) return;
          }
          busy.enter();
          const p = send(i, host.now());
          busy.leave();
          await p;
        }
      };
      await Promise.race([Promise.all(Array.from({ length: Math.min(load.concurrency, total) }, loop)), aborted]);
    }
    // Answers still in flight: waited for (at most drainMs) unless cancelled.
    if (!host.signal.aborted && run.inFlight > 0) {
      run.phase = Phase.DRAINING;
      const until = host.now() + MEASURE_LIMITS.drainMs;
      while (run.inFlight > 0 && host.now() < until && !host.signal.aborted) {
        await Promise.race([slotFree(), host.waitUntil(until), aborted]);
      }
      if (run.inFlight > 0) run.note = `${run.inFlight} calls had no answer ${MEASURE_LIMITS.drainMs / 1000} s after the last send`;
    }
    if (host.signal.aborted && run.inFlight > 0) run.note = `cancelled with ${run.inFlight} calls in flight`;
    finishTarget(run);
    void client.close().catch(() => undefined);
  }

  function finishTarget(run: TargetRun): void {
    const now = host.now();
    run.recorder.finish(now);
    const wall = now - run.recorder.startAt;
    run.cpuShare = wall > 0 ? (host.cpuMs(busy.busyMs) - run.cpuAtStart) / wall : 0;
    run.phase = Phase.DONE;
    run.encoded = encodeHistogram(run.recorder.measured);
    const index = runs.indexOf(run);
    run.final = targetResult(index);
  }
}
