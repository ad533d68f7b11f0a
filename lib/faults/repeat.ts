/**
 * Run one call many times with bounded concurrency: "place 100 orders at
 * once" from the playground. Pure (no DOM): the task and the signal are the
 * caller's.
 */

export const REPEAT_LIMITS = { minTimes: 1, maxTimes: 500, maxConcurrency: 10 } as const;

export type RepeatOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RepeatSummary {
  /** Tasks that finished (resolved or threw). */
  done: number;
  total: number;
  /** Whether the signal stopped it before all were started. */
  cancelled: boolean;
}

/** Clamps a requested count and concurrency to the limits. */
export function repeatPlan(times: number, concurrency: number): { total: number; concurrency: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(v) ? v : lo)));
  const total = clamp(times, REPEAT_LIMITS.minTimes, REPEAT_LIMITS.maxTimes);
  return { total, concurrency: clamp(concurrency, 1, Math.min(REPEAT_LIMITS.maxConcurrency, total)) };
}

/**
 * Runs `task(0..total-1)` with at most `concurrency` in flight. After the
 * signal aborts no new task starts; those in flight finish and are counted.
 */
export async function runRepeated<T>(
  times: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  opts: { signal?: AbortSignal; onResult?: (outcome: RepeatOutcome<T>, index: number, done: number, total: number) => void } = {},
): Promise<RepeatSummary> {
  const plan = repeatPlan(times, concurrency);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.total && !opts.signal?.aborted) {
      const i = next++;
      let outcome: RepeatOutcome<T>;
      try {
        outcome = { ok: true, value: await task(i) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      done++;
      opts.onResult?.(outcome, i, done, plan.total);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  return { done, total: plan.total, cancelled: done < plan.total };
}
