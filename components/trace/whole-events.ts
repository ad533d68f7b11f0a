import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";

/**
 * Light events and the whole events behind them.
 *
 * The page streams the trace light (StreamTraceRequest.light): server
 * events arrive without what only the inspector shows, the wire bytes and
 * the HTTP header and trailer maps (byte counts and everything the diagram
 * draws are kept). The inspector and the JSON export ask LabService.GetEvents
 * for the whole events, by seq, when they need them.
 *
 * Which events are light is recorded, not guessed: the connection marks
 * the very event objects the light stream delivered (a WeakSet, so marks go
 * when the page's buffer drops the events). A test on the fields (no wire
 * bytes but a body) would take a real empty body or a truncated capture for
 * light, and could not tell a light event from a whole one without headers.
 * Events recorded in the browser (seq 0), imported files and test fixtures
 * are never marked, so they are always whole.
 */

/** Whole events by seq, in any order; seqs the server no longer has left out. */
export type WholeEventSource = (seqs: readonly bigint[], signal?: AbortSignal) => Promise<readonly TraceEvent[]>;

/** The most seqs asked in one GetEvents call (the server refuses more). */
export const MAX_SEQS_PER_CALL = 500;

const light = new WeakSet<TraceEvent>();
/** A light event's whole version, or null when the server no longer has it. */
const whole = new WeakMap<TraceEvent, TraceEvent | null>();
const inFlight = new WeakMap<TraceEvent, Promise<void>>();
let source: WholeEventSource | undefined;

/** Marks events as light (server events of a light stream; seq 0 is never light). */
export function markLight(events: readonly TraceEvent[]): void {
  for (const e of events) if (e.seq > 0n) light.add(e);
}

/** Whether `e` came from a light stream (fetched or not). */
export function isLight(e: TraceEvent): boolean {
  return light.has(e);
}

/** Where whole events come from (the page's LabService connection); undefined forgets it. */
export function setWholeEventSource(fn: WholeEventSource | undefined): void {
  source = fn;
}

/**
 * What is known of `e` as a whole event, without fetching: `e` itself when
 * it is whole, its fetched whole version, null when the server no longer
 * has it, undefined when it has not been fetched yet.
 */
export function knownWhole(e: TraceEvent): TraceEvent | null | undefined {
  if (!light.has(e)) return e;
  return whole.get(e);
}

/**
 * Fetches the whole versions of the light events among `events` that are
 * not known yet, in GetEvents calls of at most 500 seqs. Events already
 * being fetched are waited for, not asked again. Rejects when a call fails
 * (those events stay unknown, so a later call tries again).
 */
export async function fetchWhole(events: readonly TraceEvent[], signal?: AbortSignal): Promise<void> {
  const waits = new Set<Promise<void>>();
  const missing = new Set<TraceEvent>();
  for (const e of events) {
    if (!light.has(e) || whole.has(e)) continue;
    const pending = inFlight.get(e);
    if (pending) waits.add(pending);
    else missing.add(e);
  }
  if (missing.size > 0) {
    const from = source;
    if (!from) throw new Error("not connected to the lab");
    const list = [...missing];
    for (let i = 0; i < list.length; i += MAX_SEQS_PER_CALL) {
      const chunk = list.slice(i, i + MAX_SEQS_PER_CALL);
      const seqs = chunk.map((e) => e.seq);
      const call = Promise.resolve().then(() => from(seqs, signal)).then((got) => {
        const bySeq = new Map(got.map((w) => [w.seq, w]));
        for (const e of chunk) whole.set(e, bySeq.get(e.seq) ?? null);
      });
      const settled = call.finally(() => {
        for (const e of chunk) if (inFlight.get(e) === settled) inFlight.delete(e);
      });
      for (const e of chunk) inFlight.set(e, settled);
      waits.add(settled);
    }
  }
  await Promise.all(waits);
}

/**
 * `events` with every light one replaced by its whole version (fetched as
 * needed, see fetchWhole); a light event the server no longer has stays
 * light. For the JSON export.
 */
export async function wholeEvents(events: readonly TraceEvent[], signal?: AbortSignal): Promise<TraceEvent[]> {
  await fetchWhole(events, signal);
  return events.map((e) => knownWhole(e) ?? e);
}
