import { performance } from "node:perf_hooks";

/**
 * Waits until `at` on performance.now()'s clock without the 1 ms floor of
 * Node's timers for the last stretch: a timer for all but the last
 * millisecond, then setImmediate, which lets I/O run in between. The load
 * runner re-checks the clock after every wait, so waking early is harmless.
 */
export function nodeWaitUntil(at: number): Promise<void> {
  const d = at - performance.now();
  if (d > 1.5) return new Promise((resolve) => setTimeout(resolve, d - 1));
  return new Promise((resolve) => setImmediate(resolve));
}
