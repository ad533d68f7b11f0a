import { create } from "@bufbuild/protobuf";
import type { CallResult } from "../client/types";
import { IntervalBucketSchema, type IntervalBucket } from "../gen/lab/v1/measure_pb";
import { newLatencyHistogram, recordMs } from "./histogram";

/**
 * What one target's calls did: the measured phase's and the warm-up's
 * HdrHistograms, outcomes by status, bytes, and per-interval buckets for
 * the charts over time. Times are the runner's monotonic clock in ms.
 */
export class TargetRecorder {
  readonly measured = newLatencyHistogram();
  readonly warm = newLatencyHistogram();
  sent = 0;
  ok = 0;
  readonly errors = new Map<string, number>();
  requestBytes = 0;
  responseBytes = 0;
  /** Measured-phase calls finished (ok or not). */
  finished = 0;
  /** Last measured-phase answer, on the runner's clock. */
  lastAnswerAt = 0;

  private readonly interval = newLatencyHistogram();
  private intervalIndex = 0;
  private intervalCompleted = 0;
  private intervalErrors = 0;
  private intervalWarm = 0;
  private readonly pending: IntervalBucket[] = [];

  constructor(
    /** Index of the target in the run. */
    readonly index: number,
    /** The target's start on the runner's clock. */
    readonly startAt: number,
    /** Length of a bucket in ms. */
    readonly intervalMs: number,
    /** Open model: sends the schedule intended in [from, to) (ms since start); closed: undefined. */
    private readonly offered?: (fromMs: number, toMs: number) => number,
  ) {}

  /** Records one finished call: latency in ms, its result, whether it was warm-up, and when it finished. */
  record(latencyMs: number, r: CallResult<unknown> | undefined, warmup: boolean, at: number): void {
    this.advance(at);
    const failed = !r || !r.ok;
    recordMs(this.interval, latencyMs);
    this.intervalCompleted++;
    if (failed) this.intervalErrors++;
    if (warmup) {
      this.intervalWarm++;
      recordMs(this.warm, latencyMs);
      return;
    }
    recordMs(this.measured, latencyMs);
    this.finished++;
    this.lastAnswerAt = Math.max(this.lastAnswerAt, at);
    if (r) {
      this.requestBytes += r.requestBytes;
      this.responseBytes += r.responseBytes;
    }
    if (!failed) this.ok++;
    else {
      const kind = r?.status || "client_error";
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    }
  }

  /** Closes every interval that ended before `at` (empty ones too, so a stall shows as a gap of zero throughput). */
  advance(at: number): void {
    const index = Math.floor((at - this.startAt) / this.intervalMs);
    while (this.intervalIndex < index) this.closeInterval();
  }

  /** Closes the current interval early (the target ended), cut at `at`. */
  finish(at: number): void {
    this.advance(at);
    const start = this.intervalIndex * this.intervalMs;
    const length = Math.max(0, at - this.startAt - start);
    if (this.intervalCompleted > 0 || length > 0) this.closeInterval(length);
  }

  /** Buckets closed since the last call. */
  takeBuckets(): IntervalBucket[] {
    return this.pending.splice(0);
  }

  private closeInterval(length = this.intervalMs): void {
    const startMs = this.intervalIndex * this.intervalMs;
    // Only what a bucket shows (p50, p99, max): each further statistic is another pass over the counts.
    const h = this.interval;
    const some = this.intervalCompleted > 0;
    this.pending.push(
      create(IntervalBucketSchema, {
        target: this.index,
        startMs,
        durationMs: length,
        completed: this.intervalCompleted,
        errors: this.intervalErrors,
        warmup: this.intervalWarm,
        offered: this.offered ? this.offered(startMs, startMs + length) : 0,
        p50Ms: some ? h.getValueAtPercentile(50) / 1000 : 0,
        p99Ms: some ? h.getValueAtPercentile(99) / 1000 : 0,
        maxMs: some ? h.maxValue / 1000 : 0,
      }),
    );
    this.interval.reset();
    this.intervalCompleted = 0;
    this.intervalErrors = 0;
    this.intervalWarm = 0;
    this.intervalIndex++;
  }
}

/** Time spent in the runner's own synchronous code, for hosts that cannot read a thread's CPU time. */
export class BusyMeter {
  busyMs = 0;
  private since = -1;

  constructor(private readonly now: () => number) {}

  enter(): void {
    if (this.since < 0) this.since = this.now();
  }

  leave(): void {
    if (this.since >= 0) {
      this.busyMs += this.now() - this.since;
      this.since = -1;
    }
  }
}
