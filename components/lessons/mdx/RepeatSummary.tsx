"use client";

import { latencySummary, ms } from "@/lib/lessons/stats";
import { ui } from "@/lib/lessons/ui-text";
import type { CallAction, RestAction } from "@/lib/lessons/types";
import { modeTitle } from "@/lib/lessons/actions";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

const COLUMNS = ["min", "p50", "p90", "p99", "max"] as const;

/**
 * What the last `repeat` of an action did, as the `<Call repeat>` and
 * `<Rest repeat>` buttons show it: calls done (while it runs), answers and
 * attempts, the statuses, and the spread of the latencies (nearest-rank
 * percentiles of each call from its first send to its last answer, backoffs
 * included). Each repeat count and concurrency keeps its own summary, so
 * "one at a time" and "ten at a time" of the same call stay side by side.
 */
export function RunSummary({ action, repeat, concurrency = 1 }: { action: CallAction | RestAction; repeat: number; concurrency?: number }) {
  const { locale, runtime } = useLesson();
  const run = runtime.repeatRun(action, repeat, concurrency);
  if (!run) return null;
  const { calls } = run;
  const ok = calls.filter((c) => c.ok).length;
  const attempts = calls.reduce((n, c) => n + c.attempts, 0);
  const fellBack = calls.filter((c) => c.fellBackTo).length;
  const statuses = new Map<string, number>();
  for (const c of calls) statuses.set(c.status, (statuses.get(c.status) ?? 0) + 1);
  const l = latencySummary(calls.map((c) => c.latencyMs));
  return (
    <div className={css.outcome} data-testid="run-summary" data-mode={"call" in action ? action.mode : "rest"} data-running={run.running || undefined}>
      <div className="metrics">
        {"call" in action && <span className={css.outcomeMode}>{modeTitle(action.mode)}</span>}
        {run.running && <strong>{ui("repeatDone", locale, { done: calls.length, total: run.total })}</strong>}
        <span>{ui("runCalls", locale, { n: calls.length, ok, attempts })}</span>
        {[...statuses].map(([status, n]) => (
          <span key={status} className={status === "ok" || /^[23]/.test(status) ? "badge ok" : "badge bad"}>
            {status} × {n}
          </span>
        ))}
        {fellBack > 0 && <span>{ui("runFellBack", locale, { n: fellBack })}</span>}
      </div>
      {l && (
        <table className={css.latencyTable}>
          <caption className="sr-only">{ui("latencyCaption", locale)}</caption>
          <thead>
            <tr>
              {COLUMNS.map((k) => (
                <th key={k} scope="col">
                  {k}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {COLUMNS.map((k) => (
                <td key={k}>{ms(l[k])} ms</td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The "× 50" or "× 50, 10 at a time" on a repeating button. */
export function RepeatBadge({ repeat, concurrency = 1 }: { repeat: number; concurrency?: number }) {
  const { locale } = useLesson();
  return <strong className={css.repeatBadge}>{ui(concurrency > 1 ? "repeatAtOnce" : "repeatTimes", locale, { n: repeat, c: concurrency })}</strong>;
}
