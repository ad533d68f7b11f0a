"use client";

import { useEffect, useState } from "react";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { fetchWhole, knownWhole } from "@/components/trace/whole-events";

export interface WholeSelection {
  /** The selection with light events replaced by their whole versions where known. */
  events: readonly TraceEvent[];
  /** Whole versions are being fetched (GetEvents). */
  loading: boolean;
  /** Light events the server no longer has (shown light). */
  gone: ReadonlySet<TraceEvent>;
  /** Why fetching failed, if it did. */
  error?: string;
}

/**
 * The inspector's selection made whole: light events (from the page's
 * light trace stream, see components/trace/whole-events.ts) are fetched
 * with GetEvents. Whole events (browser-recorded, imported, tests) pass
 * through untouched and nothing is fetched.
 */
export function useWholeEvents(events: readonly TraceEvent[]): WholeSelection {
  const [, setFetched] = useState(0);
  const [failure, setFailure] = useState<{ events: readonly TraceEvent[]; message: string }>();
  const unknown = events.some((e) => knownWhole(e) === undefined);

  useEffect(() => {
    if (!events.some((e) => knownWhole(e) === undefined)) return;
    let live = true;
    fetchWhole(events).then(
      () => live && setFetched((n) => n + 1),
      (err: unknown) => live && setFailure({ events, message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [events]);

  const error = failure?.events === events ? failure.message : undefined;
  const gone = new Set(events.filter((e) => knownWhole(e) === null));
  return { events: events.map((e) => knownWhole(e) ?? e), loading: unknown && error === undefined, gone, error };
}
