import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { UpdateThrottle } from "./update-throttle";

/** Events the page keeps; older ones are dropped and counted. */
export const TRACE_BUFFER_EVENTS = 10_000;

/**
 * Least time between two updates of the page's trace while events keep
 * arriving, in ms: at most ten a second. The first events after a quiet
 * spell show on the next frame.
 */
export const TRACE_UPDATE_MS = 100;

export interface TraceSnapshot {
  events: readonly TraceEvent[];
  /** Events dropped by the page's buffer plus those the server reported dropped. */
  dropped: number;
  connected: boolean;
}

/**
 * The page's copy of the session's trace: server events from
 * LabService.StreamTrace merged with the browser's own client events, in a
 * bounded buffer. An external store for useSyncExternalStore, so a batch of
 * events costs one render.
 */
export class TraceStore {
  private snapshot: TraceSnapshot = { events: [], dropped: 0, connected: false };
  private readonly listeners = new Set<() => void>();
  private pending: TraceEvent[] = [];
  /** Every update lays out and draws the diagrams and re-runs the active step's check. */
  private readonly updates = new UpdateThrottle(() => this.flush(), TRACE_UPDATE_MS);

  /**
   * Server events up to this seq happened before the page loaded (GetSession's
   * trace_seq, asked before the first StreamTrace): the replay that opens
   * the stream. 0 until known.
   */
  private historyThroughSeq = 0n;

  constructor(private readonly capacity = TRACE_BUFFER_EVENTS) {}

  /** Sets where the history the first stream replays ends (see historyThroughSeq). */
  setHistoryThrough(seq: bigint): void {
    this.historyThroughSeq = seq;
  }

  /** Whether a server event is one the page replayed from before it loaded. */
  isHistory(e: TraceEvent): boolean {
    return e.seq !== 0n && e.seq <= this.historyThroughSeq;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  add(events: readonly TraceEvent[], serverDropped = 0): void {
    if (events.length === 0 && serverDropped === 0) return;
    this.pending.push(...events);
    if (serverDropped > 0) this.snapshot = { ...this.snapshot, dropped: this.snapshot.dropped + serverDropped };
    this.updates.schedule();
  }

  setConnected(connected: boolean): void {
    if (connected !== this.snapshot.connected) {
      this.snapshot = { ...this.snapshot, connected };
      this.emit();
    }
  }

  clear(): void {
    this.pending = [];
    this.snapshot = { ...this.snapshot, events: [], dropped: 0 };
    this.emit();
  }

  private flush(): void {
    if (this.pending.length === 0) return this.emit();
    const incoming = this.pending.sort((a, b) => a.timeUnixMs - b.timeUnixMs);
    this.pending = [];
    const current = this.snapshot.events;
    const last = current.length > 0 ? current[current.length - 1].timeUnixMs : -Infinity;
    // Keep time order: browser and server events interleave. Usually the
    // batch is newer than everything shown, and a concat is enough.
    let events =
      incoming[0].timeUnixMs >= last
        ? current.concat(incoming)
        : [...current, ...incoming].sort((a, b) => a.timeUnixMs - b.timeUnixMs);
    let dropped = this.snapshot.dropped;
    if (events.length > this.capacity) {
      dropped += events.length - this.capacity;
      events = events.slice(events.length - this.capacity);
    }
    this.snapshot = { ...this.snapshot, events, dropped };
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
