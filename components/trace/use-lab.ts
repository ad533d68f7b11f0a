"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import type { GetSessionResponse } from "@/lib/gen/lab/v1/lab_pb";
import { labService } from "./lab-connection";
import { TraceStore } from "./trace-store";
import { markLight, setWholeEventSource, type WholeEventSource } from "./whole-events";

/** Pause before reopening a broken trace stream, in ms. */
const RECONNECT_MS = 1000;

/**
 * The page's session and its live trace: fetches the session (the cookie
 * names it), opens LabService.StreamTrace with replay, and reopens it when
 * it breaks, asking only for events after the last one seen.
 *
 * The stream is light (no wire bytes, header or trailer maps: see
 * whole-events.ts); the events it delivers are marked light, and the
 * inspector and the export fetch whole ones with GetEvents through the
 * source set here.
 */
export function useLab() {
  const [store] = useState(() => new TraceStore());
  const [session, setSession] = useState<GetSessionResponse | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const fetchWhole: WholeEventSource = async (seqs, signal) => (await labService.getEvents({ seqs: [...seqs] }, { signal })).events;
    setWholeEventSource(fetchWhole);
    return () => setWholeEventSource(undefined);
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    let lastSeq = 0n;
    let first = true;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          const info = await labService.getSession({}, { signal: abort.signal });
          // What the first stream replays happened before the page loaded; after
          // a reconnect, what it catches up on happened while this page was open.
          if (first) store.setHistoryThrough(info.traceSeq);
          first = false;
          setSession(info);
          setError(undefined);
          store.setConnected(true);
          for await (const batch of labService.streamTrace({ replay: true, afterSeq: lastSeq, light: true }, { signal: abort.signal })) {
            for (const e of batch.events) if (e.seq > lastSeq) lastSeq = e.seq;
            markLight(batch.events);
            store.add(batch.events, Number(batch.dropped));
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          store.setConnected(false);
          setError(`trace stream interrupted: ${(err as Error).message}; reconnecting…`);
          await new Promise((r) => setTimeout(r, RECONNECT_MS));
        }
      }
    })();
    return () => abort.abort();
  }, [store]);

  const trace = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return { session, error, store, trace };
}
