import { describe, expect, it } from "vitest";
import * as hdr from "hdr-histogram-js";
import { decodeHistogram, encodeHistogram, newLatencyHistogram, percentileCurve, recordMs, summarise } from "./histogram";
import { P999_MIN_SAMPLES } from "./limits";
import { seededRandom } from "./payload";

/** A reference histogram built straight from hdr-histogram-js, the way its README does. */
function reference(valuesUs: number[]) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (const v of valuesUs) h.recordValue(v);
  return h;
}

describe("latency statistics", () => {
  const rand = seededRandom(42);
  // A long-tailed sample: mostly ~1 ms, some 10–100 ms, a few of 1–3 s.
  const valuesMs = Array.from({ length: 20_000 }, () => {
    const r = rand();
    return r < 0.98 ? 0.5 + rand() : r < 0.9995 ? 10 + rand() * 90 : 1000 + rand() * 2000;
  });

  it("gives exactly hdr-histogram-js's percentiles, max, mean and count", () => {
    const h = newLatencyHistogram();
    for (const v of valuesMs) recordMs(h, v);
    const ref = reference(valuesMs.map((v) => Math.round(v * 1000)));
    const s = summarise(h);
    expect(s.count).toBe(BigInt(valuesMs.length));
    expect(s.p50Ms).toBe(ref.getValueAtPercentile(50) / 1000);
    expect(s.p90Ms).toBe(ref.getValueAtPercentile(90) / 1000);
    expect(s.p99Ms).toBe(ref.getValueAtPercentile(99) / 1000);
    expect(s.p999Ms).toBe(ref.getValueAtPercentile(99.9) / 1000);
    expect(s.maxMs).toBe(ref.maxValue / 1000);
    expect(s.meanMs).toBeCloseTo(ref.mean / 1000, 9);
    expect(s.minMs).toBe(ref.minNonZeroValue / 1000);
  });

  it("agrees with the sorted sample within HdrHistogram's 3 significant digits", () => {
    const h = newLatencyHistogram();
    for (const v of valuesMs) recordMs(h, v);
    const sorted = [...valuesMs].sort((a, b) => a - b);
    const s = summarise(h);
    // Nearest-rank percentile of the raw sample, only to check the order of magnitude.
    const rank = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
    for (const [p, got] of [[50, s.p50Ms], [99, s.p99Ms], [99.9, s.p999Ms]] as const) {
      expect(Math.abs(got - rank(p)) / rank(p)).toBeLessThan(0.002);
    }
  });

  it("marks p99.9 unreliable under 1,000 samples", () => {
    expect(P999_MIN_SAMPLES).toBe(1_000);
    const h = newLatencyHistogram();
    for (let i = 0; i < 999; i++) recordMs(h, 1 + i / 1000);
    expect(summarise(h).p999Reliable).toBe(false);
    recordMs(h, 2);
    expect(summarise(h).p999Reliable).toBe(true);
  });

  it("summarises an empty histogram as no samples", () => {
    const s = summarise(newLatencyHistogram());
    expect(s.count).toBe(0n);
    expect(s.p50Ms).toBe(0);
  });

  it("round-trips through HdrHistogram's compressed base64 encoding", () => {
    const h = newLatencyHistogram();
    for (const v of valuesMs) recordMs(h, v);
    const back = decodeHistogram(encodeHistogram(h));
    expect(back.totalCount).toBe(h.totalCount);
    expect(back.getValueAtPercentile(99.9)).toBe(h.getValueAtPercentile(99.9));
    // The encoding keeps counts per bucket: the max comes back as its bucket's top (within 0.1 %).
    expect(back.getValueAtPercentile(100)).toBe(h.getValueAtPercentile(100));
  });

  it("clamps what it cannot track instead of throwing", () => {
    const h = newLatencyHistogram();
    recordMs(h, 0);
    recordMs(h, 10 * 60_000 + 1);
    recordMs(h, Number.NaN);
    expect(h.totalCount).toBe(3);
  });

  it("draws the percentile curve only as far as the samples reach, ending at the max", () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 200; i++) recordMs(h, i);
    const curve = percentileCurve(h);
    // 200 samples: 99.5 % still has one above it, 99.6 % does not.
    expect(curve.at(-2)!.percentile).toBe(99.5);
    expect(curve.at(-1)).toEqual({ percentile: 100, latencyMs: h.maxValue / 1000 });
    for (let i = 1; i < curve.length; i++) expect(curve[i].latencyMs).toBeGreaterThanOrEqual(curve[i - 1].latencyMs);
  });
});
