import * as hdr from "hdr-histogram-js";
import { create } from "@bufbuild/protobuf";
import { LatencySummarySchema, type LatencySummary } from "../gen/lab/v1/measure_pb";
import { P999_MIN_SAMPLES } from "./limits";

/**
 * Latency statistics, all from HdrHistogram (hdr-histogram-js): values are
 * recorded in microseconds with 3 significant digits (±0.1 %), and every
 * percentile is the library's `getValueAtPercentile` — none is computed
 * here by hand. The same code runs in the server's run worker and in the
 * page's Web Worker.
 */

export type LatencyHistogram = hdr.Histogram;

/** The largest latency a histogram tracks: 10 minutes, in µs; longer values are recorded as this. */
export const HIGHEST_TRACKABLE_US = 600_000_000;

/** A latency histogram: µs values from 1 µs to 10 min, 3 significant digits, plain JS (no WebAssembly). */
export function newLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records a latency given in ms (rounded to whole µs, at least 1 µs, at most HIGHEST_TRACKABLE_US). */
export function recordMs(h: LatencyHistogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Number.isFinite(us) ? us : HIGHEST_TRACKABLE_US)));
}

const usToMs = (us: number) => us / 1000;

/** What meanUs reads of hdr-histogram-js's plain-JS histograms (JsHistogram), beyond its public type. */
interface JsHistogramInternals {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
}

/**
 * The histogram's mean in µs: the library's own sum (JsHistogram `mean`:
 * each recorded index's median-equivalent value times its count, lowest
 * index first, over the total count), in a plain loop that stops at the
 * last count. The library's getter walks a RecordedValuesIterator that
 * allocates and copies an object per step; in a live run, summarised four
 * times a second, that was a sixth of the load generator's CPU.
 */
function meanUs(h: LatencyHistogram): number {
  const js = h as unknown as Partial<JsHistogramInternals>;
  if (typeof js.getCountAtIndex !== "function" || typeof js.valueFromIndex !== "function" || typeof js.medianEquivalentValue !== "function" || typeof js.highestEquivalentValue !== "function") return h.mean;
  const j = js as JsHistogramInternals;
  const total = h.totalCount;
  let seen = 0;
  let sum = 0;
  for (let i = 0; i < j.countsArrayLength && seen < total; i++) {
    const n = j.getCountAtIndex(i);
    if (n === 0) continue;
    seen += n;
    sum += j.medianEquivalentValue(j.highestEquivalentValue(j.valueFromIndex(i))) * n;
  }
  return sum / total;
}

/** count, min, mean, p50, p90, p99, p99.9 and max in ms; p99.9 flagged unreliable under P999_MIN_SAMPLES samples. */
export function summarise(h: LatencyHistogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return create(LatencySummarySchema, { count: 0n });
  return create(LatencySummarySchema, {
    count: BigInt(count),
    minMs: usToMs(h.minNonZeroValue),
    meanMs: usToMs(meanUs(h)),
    p50Ms: usToMs(h.getValueAtPercentile(50)),
    p90Ms: usToMs(h.getValueAtPercentile(90)),
    p99Ms: usToMs(h.getValueAtPercentile(99)),
    p999Ms: usToMs(h.getValueAtPercentile(99.9)),
    maxMs: usToMs(h.maxValue),
    p999Reliable: count >= P999_MIN_SAMPLES,
  });
}

/** HdrHistogram's compressed V2 encoding in base64, readable by any HdrHistogram implementation. */
export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(base64: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** Percentiles of the "latency by percentile" plot (HdrHistogram's classic chart), from 0 to 99.999. */
export const CURVE_PERCENTILES: readonly number[] = [
  0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5, 80, 82.5, 85, 87.5, 88.75, 90, 91.25, 92.5, 93.75, 95, 96, 97, 97.5, 98, 98.5, 99, 99.25, 99.5, 99.6,
  99.7, 99.8, 99.9, 99.925, 99.95, 99.97, 99.98, 99.99, 99.995, 99.999,
];

export interface CurvePoint {
  percentile: number;
  latencyMs: number;
}

/**
 * Latency at each of CURVE_PERCENTILES (the library's getValueAtPercentile),
 * up to the highest percentile the sample count supports (at least one
 * sample above it), then the maximum as 100.
 */
export function percentileCurve(h: LatencyHistogram): CurvePoint[] {
  const n = h.totalCount;
  if (n === 0) return [];
  const out: CurvePoint[] = [];
  for (const p of CURVE_PERCENTILES) {
    if (p > 0 && (1 - p / 100) * n < 1) break;
    out.push({ percentile: p, latencyMs: usToMs(h.getValueAtPercentile(p)) });
  }
  out.push({ percentile: 100, latencyMs: usToMs(h.maxValue) });
  return out;
}
