import {
  RunState,
  type IntervalBucket,
  type RunConditions,
  type RunConfig,
  type RunUpdate,
  type TargetResult,
} from "../gen/lab/v1/measure_pb";
import { decodeHistogram, percentileCurve, type CurvePoint } from "./histogram";
import { targetInfo, type TargetKey } from "./targets";

/**
 * What the page shows of a run: the latest RunUpdate folded into one
 * view, with every interval bucket kept for the charts over time and each
 * target's percentile curve decoded from its HdrHistogram. Server runs
 * (MeasureService's stream) and browser runs (the Web Worker's messages)
 * deliver the same RunUpdate, so both fold the same way.
 */
export interface TargetView {
  index: number;
  key: TargetKey;
  title: string;
  result: TargetResult;
  buckets: IntervalBucket[];
  /** Latency by percentile, from the target's HdrHistogram (empty until one arrives). */
  curve: CurvePoint[];
  /** The encoded histogram the curve was drawn from. */
  curveOf: string;
}

export interface RunView {
  runId: string;
  state: RunState;
  queuePosition: number;
  elapsedMs: number;
  remainingMs: number;
  progress: number;
  currentTarget: number;
  startedUnixMs: number;
  config?: RunConfig;
  conditions?: RunConditions;
  error: string;
  targets: TargetView[];
}

export function isFinished(state: RunState): boolean {
  return state === RunState.DONE || state === RunState.CANCELLED || state === RunState.FAILED;
}

/** The view after one more update (a new object; unchanged targets keep their identity). */
export function applyUpdate(view: RunView | undefined, u: RunUpdate): RunView {
  const base: RunView = view && view.runId === u.runId ? view : emptyView(u.runId);
  const config = u.config ?? base.config;
  const targets = [...base.targets];
  u.targets.forEach((result, i) => {
    const before = targets[i];
    let curve = before?.curve ?? [];
    let curveOf = before?.curveOf ?? "";
    if (result.hdrHistogram !== "" && result.hdrHistogram !== curveOf) {
      curve = percentileCurve(decodeHistogram(result.hdrHistogram));
      curveOf = result.hdrHistogram;
    }
    const info = targetInfo(result.target ?? config!.targets[i]);
    targets[i] = { index: i, key: info.key, title: info.title, result, buckets: before?.buckets ?? [], curve, curveOf };
  });
  for (const b of u.buckets) {
    const t = targets[b.target];
    if (t) targets[b.target] = { ...t, buckets: [...t.buckets, b] };
  }
  return {
    ...base,
    state: u.state,
    queuePosition: u.state === RunState.QUEUED ? u.queuePosition : 0,
    elapsedMs: u.elapsedMs || base.elapsedMs,
    remainingMs: u.remainingMs,
    progress: u.state === RunState.QUEUED ? 0 : u.progress,
    currentTarget: u.currentTarget,
    startedUnixMs: u.startedUnixMs || base.startedUnixMs,
    config,
    conditions: u.conditions ?? base.conditions,
    error: u.error || base.error,
    targets,
  };
}

function emptyView(runId: string): RunView {
  return { runId, state: RunState.QUEUED, queuePosition: 0, elapsedMs: 0, remainingMs: 0, progress: 0, currentTarget: 0, startedUnixMs: 0, error: "", targets: [] };
}
