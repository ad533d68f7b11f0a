"use client";

import { ui } from "@/lib/lessons/ui-text";
import type { CallAction, RestAction } from "@/lib/lessons/types";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

/** The value at quantile `q` (0–1) of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * How the last `repeat` of an action went, as the `<Call repeat>` and
 * `<Rest repeat>` buttons show it: calls done, their statuses, and the
 * median and 90th percentile of their client latency.
 */
export function RepeatSummaryView({ action }: { action: CallAction | RestAction }) {
  const { locale, runtime } = useLesson();
  const s = runtime.repeatSummary(action);
  if (!s) return null;
  const sorted = [...s.latenciesMs].sort((a, b) => a - b);
  const statuses = Object.entries(s.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status} ×${n}`)
    .join(" · ");
  return (
    <div className={css.outcome} data-testid="repeat-summary" data-running={s.running || undefined}>
      <div className="metrics">
        <strong>{ui("repeatDone", locale, { done: s.done, total: s.total })}</strong>
        {sorted.length > 0 && (
          <span>{ui("repeatLatency", locale, { median: quantile(sorted, 0.5).toFixed(1), p90: quantile(sorted, 0.9).toFixed(1) })}</span>
        )}
        {statuses && <span>{statuses}</span>}
      </div>
    </div>
  );
}
