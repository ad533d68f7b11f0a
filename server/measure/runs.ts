import { Worker } from "node:worker_threads";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { RunConditionsSchema, RunConfigSchema, RunState, RunUpdateSchema, type RunConditions, type RunConfig, type RunUpdate } from "../../lib/gen/lab/v1/measure_pb";
import { MEASURE_LIMITS } from "../../lib/measure/limits";
import type { WorkerStart, WorkerToParent } from "./worker-protocol";

/** How long a cancelled worker may take to send its last update before it is stopped anyway, in ms. */
const CANCEL_GRACE_MS = 2_000;

/** What a run needs besides its configuration. */
export type RunStart = Omit<WorkerStart, "entry" | "runId" | "config" | "conditions"> & { config: RunConfig; conditions: RunConditions };

/** Starts a run's work and returns how to cancel it; tests replace the worker thread. */
export type RunExecutor = (runId: string, start: RunStart, onMessage: (m: WorkerToParent) => void) => { cancel(): void; stop(): Promise<void> };

/** The default executor: a worker thread running server/measure/run-worker.ts. */
export const workerExecutor: RunExecutor = (runId, start, onMessage) => {
  const data: WorkerStart = {
    ...start,
    entry: new URL("./run-worker.ts", import.meta.url).href,
    runId,
    config: toBinary(RunConfigSchema, start.config),
    conditions: toBinary(RunConditionsSchema, start.conditions),
  };
  const worker = new Worker(new URL("./run-worker.mjs", import.meta.url), { workerData: data });
  worker.on("message", onMessage);
  worker.on("error", (err) => onMessage({ type: "error", message: err.message }));
  worker.on("exit", (code) => onMessage({ type: "error", message: `the run's worker stopped (exit code ${code})` }));
  return {
    cancel: () => worker.postMessage({ type: "cancel" }),
    stop: () => worker.terminate().then(() => undefined),
  };
};

/** A run's updates as an async iterable that ends with the run. */
class UpdateQueue implements AsyncIterable<RunUpdate> {
  private readonly items: RunUpdate[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;

  push(u: RunUpdate): void {
    if (this.ended) return;
    this.items.push(u);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunUpdate> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

/** One server run, from queued to ended. */
export class ServerRun {
  readonly updates = new UpdateQueue();
  state = RunState.QUEUED;
  private handle: ReturnType<RunExecutor> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly session: string,
    readonly start: RunStart,
    private readonly onEnd: (run: ServerRun) => void,
  ) {}

  get ended(): boolean {
    return this.state === RunState.DONE || this.state === RunState.CANCELLED || this.state === RunState.FAILED;
  }

  queued(position: number): void {
    this.updates.push(create(RunUpdateSchema, { runId: this.id, state: RunState.QUEUED, queuePosition: position, config: this.start.config }));
  }

  begin(executor: RunExecutor): void {
    this.state = RunState.RUNNING;
    this.handle = executor(this.id, this.start, (m) => {
      if (this.ended) return;
      if (m.type === "update") this.updates.push(fromBinary(RunUpdateSchema, m.update));
      else if (m.type === "done") {
        const u = fromBinary(RunUpdateSchema, m.update);
        this.finish(u.state, u);
      } else this.finish(RunState.FAILED, create(RunUpdateSchema, { runId: this.id, state: RunState.FAILED, error: m.message }));
    });
  }

  /**
   * Cancels the run: a queued one ends at once, a running one after its
   * worker's last update (or the grace time); `now` ends it at once either
   * way (the server is closing).
   */
  cancel(now = false): void {
    if (this.ended) return;
    if (!this.handle || now) {
      this.finish(RunState.CANCELLED, create(RunUpdateSchema, { runId: this.id, state: RunState.CANCELLED, config: this.start.config }));
      return;
    }
    this.handle.cancel();
    this.graceTimer ??= setTimeout(
      () => this.finish(RunState.CANCELLED, create(RunUpdateSchema, { runId: this.id, state: RunState.CANCELLED, error: "the run did not stop in time and was ended" })),
      CANCEL_GRACE_MS,
    );
  }

  private finish(state: RunState, last: RunUpdate): void {
    if (this.ended) return;
    this.state = state;
    clearTimeout(this.graceTimer);
    this.updates.push(last);
    this.updates.end();
    // The worker goes with everything it still holds: sockets, calls in flight.
    void this.handle?.stop();
    this.onEnd(this);
  }
}

/**
 * Server runs: at most `maxRunning` at a time in the whole server, the rest
 * in a FIFO queue (each told its position), one run per session. The
 * limits are MEASURE_LIMITS'; tests may lower the cap.
 */
export class ServerRuns {
  private readonly running = new Set<ServerRun>();
  private readonly queue: ServerRun[] = [];
  private readonly bySession = new Map<string, ServerRun>();
  private counter = 0;
  private closed = false;

  constructor(
    private readonly executor: RunExecutor = workerExecutor,
    private readonly maxRunning: number = MEASURE_LIMITS.serverConcurrentRuns,
  ) {}

  /** Queues a run for `session`; refuses a second one, or one more than the queue holds (resource_exhausted, naming the limit). */
  open(session: string, start: RunStart): ServerRun {
    if (this.closed) throw new ConnectError("the lab is shutting down", Code.Unavailable);
    const existing = this.bySession.get(session);
    if (existing && !existing.ended) {
      throw new ConnectError(
        `this session already has a run (${existing.id}, ${existing.state === RunState.QUEUED ? "queued" : "running"}); one run at a time per session (MEASURE_LIMITS.runsPerSession = ${MEASURE_LIMITS.runsPerSession}) — wait for it or cancel it`,
        Code.ResourceExhausted,
      );
    }
    if (this.running.size >= this.maxRunning && this.queue.length >= MEASURE_LIMITS.queueLength) {
      throw new ConnectError(
        `${this.queue.length} runs are already waiting; the queue holds ${MEASURE_LIMITS.queueLength} (MEASURE_LIMITS.queueLength) — try again when one has ended`,
        Code.ResourceExhausted,
      );
    }
    const run = new ServerRun(`run${Date.now().toString(36)}${(this.counter++).toString(36)}`, session, start, (r) => this.ended(r));
    this.bySession.set(session, run);
    this.queue.push(run);
    this.pump();
    return run;
  }

  /** Cancels the session's run (the one named, when a name is given); false when there is none. */
  cancel(session: string, runId = ""): boolean {
    const run = this.bySession.get(session);
    if (!run || run.ended || (runId !== "" && run.id !== runId)) return false;
    run.cancel();
    return true;
  }

  get sizes(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.queue.length };
  }

  /** Ends every run at once (the server is closing). */
  close(): void {
    this.closed = true;
    for (const run of [...this.queue, ...this.running]) run.cancel(true);
  }

  private ended(run: ServerRun): void {
    this.running.delete(run);
    const i = this.queue.indexOf(run);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.bySession.get(run.session) === run) this.bySession.delete(run.session);
    this.pump();
  }

  /** Starts queued runs while slots are free, and tells the rest where they stand. */
  private pump(): void {
    while (!this.closed && this.running.size < this.maxRunning && this.queue.length > 0) {
      const run = this.queue.shift()!;
      this.running.add(run);
      run.begin(this.executor);
    }
    this.queue.forEach((run, i) => run.queued(i + 1));
  }
}
