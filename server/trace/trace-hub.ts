import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { TraceEventSchema, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import { nowUnixMs } from "../../lib/trace";

/** Bytes of a message kept in a trace event for the inspector (HTTP body or MQTT packet). */
export const WIRE_PREVIEW_BYTES = 4096;

export type TraceEventInit = MessageInitShape<typeof TraceEventSchema> & { session: string };

/**
 * An event whose fields are computed only when it is read: a recorder on a
 * hot path keeps references and numbers, and `build` makes the rest.
 */
export interface LazyTraceEvent {
  session: string;
  timeUnixMs?: number;
  build: () => Omit<MessageInitShape<typeof TraceEventSchema>, "session" | "seq" | "timeUnixMs">;
}

/** A batch for one subscriber, with how many events it missed. */
export interface TraceBatch {
  events: TraceEvent[];
  dropped: number;
}

export interface TraceHubOptions {
  /** False turns recording off entirely (benchmarks compare both). */
  enabled: boolean;
  /** Events kept per session for subscribers that arrive late. */
  bufferEvents: number;
  /** Largest backlog of one subscriber before its oldest events are dropped. */
  subscriberBacklog?: number;
  /** How long events are gathered into one batch, in ms. */
  flushIntervalMs?: number;
}

/**
 * An event as recorded: the init shape, made into a TraceEvent message only
 * when someone reads it (a subscriber, a replay, a test). Recording stays
 * cheap when no page is watching.
 */
type Recorded = (TraceEventInit | LazyTraceEvent) & { seq: bigint; timeUnixMs: number };

function materialize(r: Recorded | TraceEvent): TraceEvent {
  if ("$typeName" in r) return r as TraceEvent;
  if ("build" in r) return create(TraceEventSchema, Object.assign(r.build(), { session: r.session, seq: r.seq, timeUnixMs: r.timeUnixMs }) as TraceEventInit);
  return create(TraceEventSchema, r);
}

/** Events handed to one subscriber per event-loop turn. */
const FLUSH_SLICE_EVENTS = 64;

interface Subscriber {
  queue: Array<Recorded | TraceEvent>;
  dropped: number;
  deliver: (batch: TraceBatch) => void;
}

interface SessionLog {
  nextSeq: bigint;
  ring: Array<Recorded | TraceEvent>;
  head: number;
  subscribers: Set<Subscriber>;
  /** Events that fell out of the ring since the session started. */
  evicted: number;
}

/**
 * The trace hub: every hop of every mode reports here, and the browser's
 * LabService.StreamTrace reads from here, one session at a time. Events are
 * numbered per session, kept in a bounded ring for late subscribers, and
 * delivered in batches so a busy session costs one write per flush.
 */
export class TraceHub {
  readonly enabled: boolean;
  private readonly sessions = new Map<string, SessionLog>();
  private readonly bufferEvents: number;
  private readonly backlog: number;
  private readonly flushIntervalMs: number;
  private readonly pending = new Set<Subscriber>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(options: TraceHubOptions) {
    this.enabled = options.enabled;
    this.bufferEvents = options.bufferEvents;
    this.backlog = options.subscriberBacklog ?? 10_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
  }

  /** Records one event for its session; a no-op when the trace is off. */
  emit(init: TraceEventInit | LazyTraceEvent): void {
    if (!this.enabled || init.session === "") return;
    const log = this.log(init.session);
    log.nextSeq += 1n;
    const event = init as Recorded;
    event.seq = log.nextSeq;
    if (!event.timeUnixMs) event.timeUnixMs = nowUnixMs();
    if (log.ring.length < this.bufferEvents) {
      log.ring.push(event);
    } else {
      log.ring[log.head] = event;
      log.head = (log.head + 1) % this.bufferEvents;
      log.evicted++;
    }
    for (const sub of log.subscribers) {
      if (sub.queue.length >= this.backlog) {
        sub.queue.shift();
        sub.dropped++;
      }
      sub.queue.push(event);
      this.pending.add(sub);
    }
    if (this.pending.size > 0 && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushIntervalMs);
    }
  }

  /** The session's buffered events with seq greater than `afterSeq`, oldest first. */
  recent(session: string, afterSeq = 0n): TraceEvent[] {
    const log = this.sessions.get(session);
    if (!log) return [];
    const out: TraceEvent[] = [];
    const n = log.ring.length;
    for (let i = 0; i < n; i++) {
      const idx = (log.head + i) % n;
      const e = log.ring[idx];
      if ((e.seq ?? 0n) <= afterSeq) continue;
      const m = materialize(e);
      log.ring[idx] = m;
      out.push(m);
    }
    return out;
  }

  /**
   * Delivers the session's events as they arrive, in batches. With `replay`
   * the buffered events after `afterSeq` come first. Returns an unsubscribe.
   */
  subscribe(
    session: string,
    deliver: (batch: TraceBatch) => void,
    opts: { replay?: boolean; afterSeq?: bigint } = {},
  ): () => void {
    const log = this.log(session);
    const sub: Subscriber = { queue: [], dropped: 0, deliver };
    if (opts.replay) {
      sub.queue = this.recent(session, opts.afterSeq ?? 0n);
      sub.dropped = opts.afterSeq === undefined || opts.afterSeq === 0n ? log.evicted : 0;
      if (sub.queue.length > 0 || sub.dropped > 0) {
        this.pending.add(sub);
        this.flushTimer ??= setTimeout(() => this.flush(), 0);
      }
    }
    log.subscribers.add(sub);
    return () => {
      log.subscribers.delete(sub);
      this.pending.delete(sub);
    };
  }

  /** Forgets a session's events (sandbox reset). Subscribers stay. */
  clear(session: string): void {
    const log = this.sessions.get(session);
    if (!log) return;
    log.ring = [];
    log.head = 0;
    log.evicted = 0;
  }

  /** Drops a session entirely (it expired). */
  forget(session: string): void {
    this.sessions.delete(session);
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending.clear();
  }

  private log(session: string): SessionLog {
    let log = this.sessions.get(session);
    if (!log) {
      log = { nextSeq: 0n, ring: [], head: 0, subscribers: new Set(), evicted: 0 };
      this.sessions.set(session, log);
    }
    return log;
  }

  private flush(): void {
    this.flushTimer = undefined;
    const subs = [...this.pending];
    this.pending.clear();
    let more = false;
    for (const sub of subs) {
      // Building and encoding events costs ~10 µs each: hand them over in
      // slices, one per event-loop turn, so a busy session's batch never
      // stalls the requests being served for milliseconds at a time.
      const slice = sub.queue.length <= FLUSH_SLICE_EVENTS ? sub.queue : sub.queue.slice(0, FLUSH_SLICE_EVENTS);
      sub.queue = slice === sub.queue ? [] : sub.queue.slice(FLUSH_SLICE_EVENTS);
      const batch = { events: slice.map(materialize), dropped: sub.dropped };
      sub.dropped = 0;
      sub.deliver(batch);
      if (sub.queue.length > 0) {
        this.pending.add(sub);
        more = true;
      }
    }
    if (more) setImmediate(() => this.flush());
  }
}
