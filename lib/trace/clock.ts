/**
 * Milliseconds since the Unix epoch with sub-millisecond precision, from a
 * monotonic clock: `performance.timeOrigin + performance.now()`. Server and
 * browser use the same formula, so their events share one time axis.
 */
export function nowUnixMs(): number {
  return performance.timeOrigin + performance.now();
}

let counter = 0;
const prefix = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, "0");

/**
 * A span id unique within this process (browser tab or server): a random
 * 4-character prefix and a counter, cheap enough for every hop.
 */
export function newSpanId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return prefix + counter.toString(36);
}
