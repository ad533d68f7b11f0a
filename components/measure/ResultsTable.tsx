"use client";

import { LoadModel, Phase } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { measureTextFor, P999_MIN_SAMPLES, type MeasureTextKey, type RunView } from "@/lib/measure";
import { fmtBytes, fmtInt, fmtMs, fmtRate, TARGET_COLORS } from "./format";
import css from "./measure.module.css";

const PHASE: Record<Phase, MeasureTextKey | undefined> = {
  [Phase.UNSPECIFIED]: undefined,
  [Phase.WAITING]: "phase.waiting",
  [Phase.WARMUP]: "phase.warmup",
  [Phase.MEASURING]: "phase.measuring",
  [Phase.DRAINING]: "phase.draining",
  [Phase.DONE]: "phase.done",
};

/**
 * Per target, side by side: latency percentiles of the measured phase
 * (HdrHistogram), throughput offered and achieved, errors by kind, body
 * bytes per call, the generator's CPU and the warm-up left out.
 */
export function ResultsTable({ view, locale = "en" }: { view: RunView; locale?: Locale }) {
  const t = measureTextFor(locale);
  const open = view.config?.load?.model === LoadModel.OPEN;
  const minSamples = P999_MIN_SAMPLES.toLocaleString("en-US");
  return (
    <div className={css.tableScroll}>
      <table className={css.results} data-testid="measure-results">
        <caption className="sr-only">{t("resultsCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("colMode")}</th>
            <th scope="col">{t("colState")}</th>
            <th scope="col" className={css.num}>
              {t("colCalls")}
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
            <th scope="col" className={css.num} title={t("p999Unreliable", { min: minSamples })}>
              p99.9
            </th>
            <th scope="col" className={css.num}>
              {t("colMax")}
            </th>
            <th scope="col" className={css.num}>
              {t("colMean")}
            </th>
            <th scope="col" className={css.num}>
              {t(open ? "colOfferedAchieved" : "colAchieved")}
            </th>
            <th scope="col">{t("colErrors")}</th>
            <th scope="col" className={css.num}>
              {t("colBodyBytes")}
            </th>
            <th scope="col" className={css.num} title={view.conditions?.cpuMethod}>
              {t("colGeneratorCpu")}
            </th>
            <th scope="col">{t("colWarmup")}</th>
          </tr>
        </thead>
        <tbody>
          {view.targets.map((target) => {
            const r = target.result;
            const l = r.latency;
            const n = Number(l?.count ?? 0n);
            const errors = Object.entries(r.errors);
            return (
              <tr key={target.key} data-target={target.key}>
                <th scope="row">
                  <span className={css.swatch} style={{ background: TARGET_COLORS[target.key] }} aria-hidden />
                  {target.title}
                  <div className={css.wire}>{t(`wire.${target.key}`)}</div>
                </th>
                <td>{PHASE[r.phase] ? t(PHASE[r.phase]!) : ""}</td>
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
                      <span className={css.unreliable} title={t("p999Few", { n: n.toLocaleString("en-US"), min: minSamples })}>
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
                      t("none")
                    ) : (
                      "–"
                    )
                  ) : (
                    <span className={css.bad}>
                      {errors.map(([k, v]) => `${fmtInt(v)} × ${k}`).join(", ")} ({((errors.reduce((s, [, v]) => s + Number(v), 0) / Math.max(1, n)) * 100).toFixed(1)} %)
                    </span>
                  )}
                  {r.unfinished > 0n && <div className={css.bad}>{t("unanswered", { n: fmtInt(r.unfinished) })}</div>}
                  {r.note && <div className="muted">{r.note}</div>}
                </td>
                <td className={css.num}>{n ? `${fmtBytes(r.requestBytes)} → ${fmtBytes(r.responseBytes)}` : "–"}</td>
                <td className={css.num}>{r.phase === Phase.DONE ? `${(r.generatorCpu * 100).toFixed(0)} %` : "–"}</td>
                <td className={css.small}>
                  {r.warmup && r.warmup.count > 0n ? t("warmupCalls", { n: fmtInt(r.warmup.count), p50: fmtMs(r.warmup.p50Ms) }) : t("none")}
                  {open && r.maxSendLagMs > 5 ? <div title={t("sendLagTitle")}>{t("sendLag", { ms: fmtMs(r.maxSendLagMs) })}</div> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {view.targets.some((target) => target.result.latency && target.result.latency.count > 0n && !target.result.latency.p999Reliable) && (
        <p className={css.footnote}>{t("p999Footnote", { min: minSamples })}</p>
      )}
    </div>
  );
}
