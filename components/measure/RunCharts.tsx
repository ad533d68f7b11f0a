"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { LoadModel } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { measureTextFor, type RunView, type TargetView } from "@/lib/measure";
import { fmtMs, fmtRate, TARGET_COLORS } from "./format";
import css from "./measure.module.css";

/**
 * The run's four charts, side by side per target: latency over time,
 * throughput over time, latency by percentile (HdrHistogram's plot) and the
 * percentiles as bars. Every chart has the numbers in the results table
 * too; animation is off, so live updates do not move and reduced motion
 * is respected.
 */
export function RunCharts({ view, locale = "en" }: { view: RunView; locale?: Locale }) {
  const t = measureTextFor(locale);
  const targets = view.targets.filter((target) => target.buckets.length > 0 || target.curve.length > 0);
  if (targets.length === 0) return <p className="muted">{t("chartsEmpty")}</p>;
  return (
    <div className={css.charts}>
      <ChartCard title={t("latencyOverTime")} note={t("latencyOverTimeNote")}>
        <LatencyOverTime targets={targets} />
      </ChartCard>
      <ChartCard title={t("throughputOverTime")} note={t(view.config?.load?.model === LoadModel.OPEN ? "throughputOpenNote" : "throughputClosedNote")}>
        <ThroughputOverTime view={view} targets={targets} offeredLabel={(rate) => t("offeredRate", { rate })} />
      </ChartCard>
      <ChartCard title={t("latencyByPercentile")} note={t("latencyByPercentileNote")}>
        <PercentileCurve targets={targets} waiting={t("chartWaiting")} />
      </ChartCard>
      <ChartCard title={t("percentilesSideBySide")} note={t("percentilesSideBySideNote")}>
        <PercentileBars targets={targets} waiting={t("chartWaiting")} maxLabel={t("colMax")} />
      </ChartCard>
    </div>
  );
}

function ChartCard({ title, note, children }: { title: string; note: string; children: React.ReactNode }) {
  return (
    <figure className={css.chart}>
      <figcaption>
        <strong>{title}</strong> <span className="muted">{note}</span>
      </figcaption>
      {children}
    </figure>
  );
}

const secs = (ms: number) => Math.round(ms) / 1000;

function LatencyOverTime({ targets }: { targets: TargetView[] }) {
  const rows = mergeBuckets(targets, (t, b) => (b.completed > 0 ? { [`p99_${t.key}`]: b.p99Ms, [`p50_${t.key}`]: b.p50Ms } : {}));
  return (
    <ResponsiveContainer width="100%" height={230}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
        <XAxis dataKey="t" type="number" domain={[0, "dataMax"]} unit=" s" tick={{ fontSize: 11 }} />
        <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtMs(v)} width={52} unit=" ms" />
        <Tooltip formatter={(v) => `${fmtMs(Number(v))} ms`} labelFormatter={(l) => `${l} s`} />
        {targets.map((t) => {
          const end = secs(t.result.measureStartMs - t.result.startMs);
          return end > 0 ? <ReferenceArea key={`w${t.key}`} x1={0} x2={end} fill={TARGET_COLORS[t.key]} fillOpacity={0.06} ifOverflow="hidden" /> : null;
        })}
        {targets.map((t) => (
          <Line key={`p99${t.key}`} dataKey={`p99_${t.key}`} name={`${t.title} p99`} stroke={TARGET_COLORS[t.key]} dot={false} isAnimationActive={false} connectNulls strokeWidth={1.6} />
        ))}
        {targets.map((t) => (
          <Line key={`p50${t.key}`} dataKey={`p50_${t.key}`} name={`${t.title} p50`} stroke={TARGET_COLORS[t.key]} strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls legendType="none" />
        ))}
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </LineChart>
    </ResponsiveContainer>
  );
}

function ThroughputOverTime({ view, targets, offeredLabel }: { view: RunView; targets: TargetView[]; offeredLabel: (rate: number) => string }) {
  const rows = mergeBuckets(targets, (t, b) => ({ [`rps_${t.key}`]: b.durationMs > 0 ? (b.completed / b.durationMs) * 1000 : 0 }));
  const offered = view.config?.load?.model === LoadModel.OPEN ? view.config.load.ratePerSecond : undefined;
  return (
    <ResponsiveContainer width="100%" height={230}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
        <XAxis dataKey="t" type="number" domain={[0, "dataMax"]} unit=" s" tick={{ fontSize: 11 }} />
        <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtRate(v)} width={52} />
        <Tooltip formatter={(v) => `${fmtRate(Number(v))}/s`} labelFormatter={(l) => `${l} s`} />
        {offered !== undefined && <ReferenceLine y={offered} stroke="#5d6778" strokeDasharray="5 4" label={{ value: offeredLabel(offered), fontSize: 11, position: "insideTopRight" }} />}
        {targets.map((t) => (
          <Line key={t.key} dataKey={`rps_${t.key}`} name={t.title} stroke={TARGET_COLORS[t.key]} dot={false} isAnimationActive={false} connectNulls strokeWidth={1.6} />
        ))}
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </LineChart>
    </ResponsiveContainer>
  );
}

const PERCENTILE_TICKS = [0, 1, 2, 3, 4, 5];
const TICK_LABELS = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"];
/** x = −log10(1 − p): 90 % → 1, 99 % → 2, 99.9 % → 3; the max is drawn at 5. */
const percentileX = (p: number) => (p >= 100 ? 5 : Math.min(5, -Math.log10(1 - p / 100)));

function PercentileCurve({ targets, waiting }: { targets: TargetView[]; waiting: string }) {
  const withCurve = targets.filter((t) => t.curve.length > 0);
  if (withCurve.length === 0) return <p className="muted">{waiting}</p>;
  return (
    <ResponsiveContainer width="100%" height={230}>
      <LineChart margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
        <XAxis dataKey="x" type="number" domain={[0, 5]} ticks={PERCENTILE_TICKS} tickFormatter={(x: number) => TICK_LABELS[x] ?? ""} tick={{ fontSize: 11 }} allowDuplicatedCategory={false} />
        <YAxis scale="log" domain={["auto", "auto"]} allowDataOverflow tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtMs(v)} width={52} unit=" ms" />
        <Tooltip formatter={(v) => `${fmtMs(Number(v))} ms`} labelFormatter={(x) => `p${(100 * (1 - 10 ** -Number(x))).toPrecision(6).replace(/\.?0+$/, "")}`} />
        {withCurve.map((t) => (
          <Line
            key={t.key}
            data={t.curve.map((p) => ({ x: percentileX(p.percentile), latency: p.latencyMs }))}
            dataKey="latency"
            name={t.title}
            stroke={TARGET_COLORS[t.key]}
            dot={false}
            isAnimationActive={false}
            type="stepAfter"
            strokeWidth={1.6}
          />
        ))}
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </LineChart>
    </ResponsiveContainer>
  );
}

function PercentileBars({ targets, waiting, maxLabel }: { targets: TargetView[]; waiting: string; maxLabel: string }) {
  const measured = targets.filter((t) => Number(t.result.latency?.count ?? 0n) > 0);
  if (measured.length === 0) return <p className="muted">{waiting}</p>;
  const rows = (["p50", "p90", "p99", "p99.9", "max"] as const).map((p) => {
    const row: Record<string, string | number> = { p: p === "max" ? maxLabel : p };
    for (const t of measured) {
      const l = t.result.latency!;
      row[t.key] = p === "p50" ? l.p50Ms : p === "p90" ? l.p90Ms : p === "p99" ? l.p99Ms : p === "p99.9" ? l.p999Ms : l.maxMs;
    }
    return row;
  });
  return (
    <ResponsiveContainer width="100%" height={230}>
      <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
        <XAxis dataKey="p" tick={{ fontSize: 11 }} />
        <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => fmtMs(v)} width={52} unit=" ms" />
        <Tooltip formatter={(v) => `${fmtMs(Number(v))} ms`} />
        {measured.map((t) => (
          <Bar key={t.key} dataKey={t.key} name={t.title} fill={TARGET_COLORS[t.key]} isAnimationActive={false} />
        ))}
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Rows keyed by interval start (s since each target's start), one column set per target. */
function mergeBuckets(targets: TargetView[], cells: (t: TargetView, b: TargetView["buckets"][number]) => Record<string, number>): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  for (const t of targets) {
    for (const b of t.buckets) {
      const key = Math.round(b.startMs);
      const row = rows.get(key) ?? { t: secs(b.startMs) };
      Object.assign(row, cells(t, b));
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}
