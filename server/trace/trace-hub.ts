import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { TraceEventSchema, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import { nowUnixMs } from "../../lib/trace";
import { ProtoWriter, traceEventEncoder } from "./trace-codec";

/** Bytes of a message kept in a trace event for the inspector (HTTP body or MQTT packet). */
export const WIRE_PREVIEW_BYTES = 4096;

export type TraceEventInit = MessageInitShape<typeof TraceEventSchema> & { session: string };

/**
 * An event whose fields are computed only when it is read: a recorder on a
 * hot path keeps references and numbers, and `build` makes the rest.
 *
 * `build(true)` is asked for a light event (see `lighten`): the builder
 * should then skip what only the inspector shows (the wire preview, HTTP
 * header and trailer maps) and need not even compute it; every other field,
 * byte counts included, must be the same as `build(false)` gives. The hub
 * strips those fields after the builder anyway, so a builder that ignores
 * the flag is still correct, only slower.
 */
export interface LazyTraceEvent {
  session: string;
  timeUnixMs?: number;
  build: (light: boolean) => Omit<MessageInitShape<typeof TraceEventSchema>, "session" | "seq" | "timeUnixMs">;
}

/** The most seqs one `get` (LabService.GetEvents) may ask for. */
export const MAX_GET_EVENTS = 500;

/** A batch for one subscriber, with how many events it missed. */
export interface TraceBatch {
  events: TraceEvent[];
  dropped: number;
  /**
   * For a subscriber that asked for `encoded`: the batch's events already
   * in protobuf binary, one length-prefixed TraceEvent each (what follows
   * the tag of a repeated `TraceEvent events` field); `events` is then empty.
   */
  encoded?: Uint8Array[];
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
  /**
   * How long for a busy page: after a flush round that delivered it
   * BUSY_FLUSH_EVENTS or more, its next batch is gathered this long (ms).
   */
  busyFlushIntervalMs?: number;
}

/**
 * An event as recorded: the init shape, made into a TraceEvent message only
 * when someone reads it (a subscriber, a replay, a test). Recording stays
 * cheap when no page is watching.
 */
type Recorded = (TraceEventInit | LazyTraceEvent) & { seq: bigint; timeUnixMs: number };

const NO_BYTES = new Uint8Array(0);

type HttpInit = NonNullable<TraceEventInit["http"]>;

/** An HTTP part without its header and trailer maps (the same object when it has none). */
function lightHttp<H extends HttpInit | TraceEvent["http"]>(http: H): H {
  if (!http) return http;
  const h = http as HttpInit;
  const some = (m: object | undefined) => m !== undefined && Object.keys(m).length > 0;
  return some(h.headers) || some(h.trailers) ? ({ ...http, headers: {}, trailers: {} } as H) : http;
}

/**
 * A light event: the same event without what only the inspector needs,
 * `wire` (empty, `wireTruncated` false) and the `http.headers` and
 * `http.trailers` maps (empty). Everything else is kept, the byte counts
 * (`bytes`) included, so the diagram and the counts are unchanged; the
 * whole event stays in the session's buffer for `get` (GetEvents).
 */
export function lighten(e: TraceEvent): TraceEvent {
  if (e.wire.length === 0 && !e.wireTruncated && lightHttp(e.http) === e.http) return e;
  return { ...e, wire: NO_BYTES, wireTruncated: false, http: lightHttp(e.http) };
}

function lightInit<T extends Omit<MessageInitShape<typeof TraceEventSchema>, "session">>(init: T): T {
  return { ...init, wire: undefined, wireTruncated: false, http: lightHttp(init.http) };
}

/**
 * The event's fields: a TraceEvent or an init object, without making a
 * message. A lazy event is built light when `light` (the heavy fields are
 * then left out or empty); any other event comes with all its fields.
 */
function fieldsOf(r: Recorded | TraceEvent, light: boolean): TraceEvent | TraceEventInit {
  if ("$typeName" in r) return r as TraceEvent;
  if ("build" in r) return Object.assign(r.build(light), { session: r.session, seq: r.seq, timeUnixMs: r.timeUnixMs }) as TraceEventInit;
  return r;
}

function materialize(r: Recorded | TraceEvent, light = false): TraceEvent {
  const fields = fieldsOf(r, light);
  if (!light) return create(TraceEventSchema, fields);
  return "$typeName" in fields ? lighten(fields as TraceEvent) : create(TraceEventSchema, lightInit(fields));
}

/** Events encoded straight from their fields (see trace-codec), one length-prefixed TraceEvent each. */
function encodeEvents(events: Array<Recorded | TraceEvent>, light: boolean, encode: NonNullable<typeof traceEventEncoder>): Uint8Array[] {
  const w = new ProtoWriter(events.length * 320);
  const ends: number[] = [];
  for (const e of events) {
    // The light encoding leaves the heavy fields out, whatever the event holds.
    // A lazy event's builder gives all but session, seq and time, which the encoder reads off the event.
    if ("build" in e) encode(w, e.build(light), light, e);
    else encode(w, e, light);
    ends.push(w.pos);
  }
  let start = 0;
  return ends.map((end) => w.buf.subarray(start, (start = end)));
}

/** Events handed to one subscriber per event-loop turn. */
const FLUSH_SLICE_EVENTS = 64;

/**
 * Events built and encoded per event-loop turn, all subscribers together
 * (≈0.5 ms of work): with a class of 200 pages streaming and batches
 * gathered for 250 ms, one turn could otherwise take a slice for every
 * page at once.
 */
const FLUSH_TURN_EVENTS = 256;

/**
 * A flush round (a flush and the slices that follow it) that delivers this
 * many events to a page marks that page busy, and its next batch is gathered
 * for `busyFlushIntervalMs` instead of `flushIntervalMs` (other pages keep
 * theirs: one learner's load run does not slow the class's traces): what a page sees
 * first after a quiet spell still comes within 50 ms, and a stream of
 * thousands of events a second (a load run with a page open) costs a few
 * flushes a second instead of twenty: with MQTT request/reply at QoS 1
 * (3,300 calls/s, 8 events each) gathering for 250 ms instead of 50 ms took
 * the trace's throughput ratio from 0.75–0.87 to 0.83–0.95 in paired runs
 * (npm run bench), the same events delivered.
 */
const BUSY_FLUSH_EVENTS = 256;

interface Subscriber {
  queue: Array<Recorded | TraceEvent>;
  dropped: number;
  /** Light events (see `lighten`) for this subscriber. */
  light: boolean;
  /** Batches with the events encoded (TraceBatch.encoded). */
  encoded: boolean;
  deliver: (batch: TraceBatch) => void;
  /** Events its current (or last) flush round delivered; whether that round made it busy; when its round started (performance.now()). */
  roundEvents: number;
  busy: boolean;
  roundStart: number;
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
  private readonly busyFlushIntervalMs: number;
  private readonly pending = new Set<Subscriber>();
  private flushTimer: NodeJS.Timeout | undefined;
  /**
   * A flush round is under way: its slices follow on the next event-loop
   * turns (a new timer waits for it to end).
   */
  private flushing = false;

  constructor(options: TraceHubOptions) {
    this.enabled = options.enabled;
    this.bufferEvents = options.bufferEvents;
    this.backlog = options.subscriberBacklog ?? 10_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.busyFlushIntervalMs = Math.max(this.flushIntervalMs, options.busyFlushIntervalMs ?? 250);
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
    if (this.pending.size > 0 && this.flushTimer === undefined && !this.flushing) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushIntervalMs);
    }
  }

  /** How long a page's events wait for their batch, in ms: the busy interval after a round that made it busy. */
  private delayOf(sub: Subscriber): number {
    return sub.busy ? this.busyFlushIntervalMs : this.flushIntervalMs;
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
   * Whole events by seq (LabService.GetEvents), in the order asked, each
   * once; seqs no longer (or never) in the session's buffer are left out.
   * At most MAX_GET_EVENTS seqs: the caller checks.
   */
  get(session: string, seqs: readonly bigint[]): TraceEvent[] {
    const log = this.sessions.get(session);
    const n = log?.ring.length ?? 0;
    if (!log || n === 0) return [];
    // The ring holds consecutive seqs, oldest at `head`: a seq's slot is
    // its distance from the oldest.
    const oldest = log.ring[log.head].seq ?? 0n;
    const out: TraceEvent[] = [];
    const seen = new Set<bigint>();
    for (const seq of seqs) {
      if (seen.has(seq)) continue;
      seen.add(seq);
      const offset = seq - oldest;
      if (offset < 0n || offset >= BigInt(n)) continue;
      let idx = (log.head + Number(offset)) % n;
      if (log.ring[idx].seq !== seq) {
        idx = log.ring.findIndex((e) => e.seq === seq);
        if (idx < 0) continue;
      }
      const m = materialize(log.ring[idx]);
      log.ring[idx] = m;
      out.push(m);
    }
    return out;
  }

  /**
   * Delivers the session's events as they arrive, in batches. With `replay`
   * the buffered events after `afterSeq` come first; with `light` they are
   * light (see `lighten`); with `encoded` they come as protobuf binary in
   * TraceBatch.encoded (when the encoder can write TraceEvent). Returns an
   * unsubscribe.
   */
  subscribe(
    session: string,
    deliver: (batch: TraceBatch) => void,
    opts: { replay?: boolean; afterSeq?: bigint; light?: boolean; encoded?: boolean } = {},
  ): () => void {
    const log = this.log(session);
    const light = opts.light === true;
    const sub: Subscriber = {
      queue: [],
      dropped: 0,
      light,
      encoded: opts.encoded === true && traceEventEncoder !== undefined,
      deliver,
      roundEvents: 0,
      busy: false,
      roundStart: Number.NEGATIVE_INFINITY,
    };
    if (opts.replay) {
      // A light subscriber gets the buffered events as recorded, made light
      // as they are delivered; building them whole first would cost what
      // the light stream saves.
      sub.queue = light ? this.buffered(log, opts.afterSeq ?? 0n) : this.recent(session, opts.afterSeq ?? 0n);
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
      // A round under way skips it from now on.
      sub.queue = [];
      sub.dropped = 0;
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
    this.flushing = false;
  }

  /** The buffered events with seq greater than `afterSeq`, oldest first, as recorded. */
  private buffered(log: SessionLog, afterSeq: bigint): Array<Recorded | TraceEvent> {
    const out: Array<Recorded | TraceEvent> = [];
    const n = log.ring.length;
    for (let i = 0; i < n; i++) {
      const e = log.ring[(log.head + i) % n];
      if ((e.seq ?? 0n) > afterSeq) out.push(e);
    }
    return out;
  }

  private log(session: string): SessionLog {
    let log = this.sessions.get(session);
    if (!log) {
      log = { nextSeq: 0n, ring: [], head: 0, subscribers: new Set(), evicted: 0 };
      this.sessions.set(session, log);
    }
    return log;
  }

  /** Starts a flush round with every page that has events waiting (the timer's callback). */
  private flush(): void {
    this.flushTimer = undefined;
    const now = performance.now();
    const subs: Subscriber[] = [];
    // A busy page's batch waits its longer interval; the timer comes back for it.
    for (const sub of this.pending) {
      if (now - sub.roundStart < this.delayOf(sub) - 1) continue;
      this.pending.delete(sub);
      sub.roundStart = now;
      sub.roundEvents = 0;
      subs.push(sub);
    }
    if (subs.length === 0) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushIntervalMs);
      return;
    }
    this.flushing = true;
    this.flushTurn(subs);
  }

  /**
   * One turn of a round. Building and encoding events costs a few µs each:
   * pages get them in slices, at most FLUSH_SLICE_EVENTS each and
   * FLUSH_TURN_EVENTS in all per event-loop turn, so a busy batch never
   * stalls the requests being served for milliseconds at a time. The round
   * goes on, next turn, with the pages this turn's budget did not reach
   * (first) and those with more left; a page whose first events arrive
   * during the round waits for the next batch, so steady traffic does not
   * keep a round running every turn.
   */
  private flushTurn(subs: Subscriber[]): void {
    const waiting: Subscriber[] = [];
    const unfinished: Subscriber[] = [];
    let budget = FLUSH_TURN_EVENTS;
    for (const sub of subs) {
      if (sub.queue.length === 0 && sub.dropped === 0) continue;
      if (budget <= 0) {
        waiting.push(sub);
        continue;
      }
      const n = Math.min(FLUSH_SLICE_EVENTS, budget);
      const slice = sub.queue.length <= n ? sub.queue : sub.queue.slice(0, n);
      sub.queue = slice === sub.queue ? [] : sub.queue.slice(n);
      budget -= slice.length;
      const batch: TraceBatch =
        sub.encoded && traceEventEncoder
          ? { events: [], encoded: encodeEvents(slice, sub.light, traceEventEncoder), dropped: sub.dropped }
          : { events: slice.map((e) => materialize(e, sub.light)), dropped: sub.dropped };
      sub.dropped = 0;
      sub.roundEvents += slice.length;
      sub.deliver(batch);
      if (sub.queue.length > 0) unfinished.push(sub);
      else sub.busy = sub.roundEvents >= BUSY_FLUSH_EVENTS;
    }
    const next = [...waiting, ...unfinished];
    if (next.length > 0) {
      // Their later events go with this round.
      for (const sub of next) this.pending.delete(sub);
      setImmediate(() => this.flushTurn(next));
      return;
    }
    this.flushing = false;
    // What arrived during the round is the next batch.
    if (this.pending.size > 0) this.flushTimer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

}
