"use client";

import { LoadModel, Phase } from "@/lib/gen/lab/v1/measure_pb";
import { P999_MIN_SAMPLES, targetInfo, type RunView } from "@/lib/measure";
import { fmtBytes, fmtInt, fmtMs, fmtRate, TARGET_COLORS } from "./format";
import css from "./measure.module.css";

const PHASE: Record<Phase, string> = {
  [Phase.UNSPECIFIED]: "",
  [Phase.WAITING]: "waiting",
  [Phase.WARMUP]: "warming up",
  [Phase.MEASURING]: "measuring",
  [Phase.DRAINING]: "awaiting answers",
  [Phase.DONE]: "done",
};

/**
 * Per target, side by side: latency percentiles of the measured phase
 * (HdrHistogram), throughput offered and achieved, errors by kind, body
 * bytes per call, the generator's CPU and the warm-up left out.
 */
export function ResultsTable({ view }: { view: RunView }) {
  const open = view.config?.load?.model === LoadModel.OPEN;
  return (
    <div className={css.tableScroll}>
      <table className={css.results} data-testid="measure-results">
        <caption className="sr-only">Results per mode: latency in milliseconds, throughput per second, bytes per call</caption>
        <thead>
          <tr>
            <th scope="col">Mode</th>
            <th scope="col">State</th>
            <th scope="col" className={css.num}>
              Calls
            </th>
            <th scope="col" className={css.num}>
              p50
            </th>
            <th scope="col" className={css.num}>
              p90
            </th>
            <th scope="col" className={css.num}>
              p99
            </th>
            <th scope="col" className={css.num} title={`unreliable under ${P999_MIN_SAMPLES.toLocaleString("en-US")} samples`}>
              p99.9
            </th>
            <th scope="col" className={css.num}>
              max
            </th>
            <th scope="col" className={css.num}>
              mean
            </th>
            <th scope="col" className={css.num}>
              {open ? "Offered → achieved /s" : "Achieved /s"}
            </th>
            <th scope="col">Errors</th>
            <th scope="col" className={css.num}>
              Body bytes per call, sent → received
            </th>
            <th scope="col" className={css.num} title={view.conditions?.cpuMethod}>
              Generator CPU
            </th>
            <th scope="col">Warm-up (left out)</th>
          </tr>
        </thead>
        <tbody>
          {view.targets.map((t) => {
            const r = t.result;
            const l = r.latency;
            const n = Number(l?.count ?? 0n);
            const errors = Object.entries(r.errors);
            return (
              <tr key={t.key} data-target={t.key}>
                <th scope="row">
                  <span className={css.swatch} style={{ background: TARGET_COLORS[t.key] }} aria-hidden />
                  {t.title}
                  <div className={css.wire}>{targetInfo(t.key).wire}</div>
                </th>
                <td>{PHASE[r.phase] ?? ""}</td>
                <td className={css.num}>{fmtInt(n)}</td>
                <td className={css.num} data-col="p50">
                  {n ? fmtMs(l!.p50Ms) : "–"}
                </td>
                <td className={css.num}>{n ? fmtMs(l!.p90Ms) : "–"}</td>
                <td className={css.num} data-col="p99">
                  {n ? fmtMs(l!.p99Ms) : "–"}
                </td>
                <td className={css.num}>
                  {n ? (
                    l!.p999Reliable ? (
                      fmtMs(l!.p999Ms)
                    ) : (
                      <span className={css.unreliable} title={`only ${n.toLocaleString("en-US")} samples: fewer than one lies above p99.9 (needs ≥ ${P999_MIN_SAMPLES.toLocaleString("en-US")})`}>
                        {fmtMs(l!.p999Ms)}*
                      </span>
                    )
                  ) : (
                    "–"
                  )}
                </td>
                <td className={css.num}>{n ? fmtMs(l!.maxMs) : "–"}</td>
                <td className={css.num}>{n ? fmtMs(l!.meanMs) : "–"}</td>
                <td className={css.num}>
                  {open ? `${fmtRate(r.offeredPerSecond)} → ` : ""}
                  {fmtRate(r.achievedPerSecond)}
                </td>
                <td>
                  {errors.length === 0 ? (
                    n ? (
                      "none"
                    ) : (
                      "–"
                    )
                  ) : (
                    <span className={css.bad}>
                      {errors.map(([k, v]) => `${fmtInt(v)} × ${k}`).join(", ")} ({((errors.reduce((s, [, v]) => s + Number(v), 0) / Math.max(1, n)) * 100).toFixed(1)} %)
                    </span>
                  )}
                  {r.unfinished > 0n && <div className={css.bad}>{fmtInt(r.unfinished)} unanswered</div>}
                  {r.note && <div className="muted">{r.note}</div>}
                </td>
                <td className={css.num}>{n ? `${fmtBytes(r.requestBytes)} → ${fmtBytes(r.responseBytes)}` : "–"}</td>
                <td className={css.num}>{r.phase === Phase.DONE ? `${(r.generatorCpu * 100).toFixed(0)} %` : "–"}</td>
                <td className={css.small}>
                  {r.warmup && r.warmup.count > 0n ? `${fmtInt(r.warmup.count)} calls, p50 ${fmtMs(r.warmup.p50Ms)} ms` : "none"}
                  {open && r.maxSendLagMs > 5 ? <div title="How late the generator sent at worst: large values mean the generator, not only the server, was behind">sent up to {fmtMs(r.maxSendLagMs)} ms late</div> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {view.targets.some((t) => t.result.latency && t.result.latency.count > 0n && !t.result.latency.p999Reliable) && (
        <p className={css.footnote}>* p99.9 from fewer than {P999_MIN_SAMPLES.toLocaleString("en-US")} samples: fewer than one call lies above it, so it is little more than the maximum.</p>
      )}
    </div>
  );
}
