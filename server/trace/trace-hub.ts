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
  /**
   * Writes the light event, recorded fields included, as trace-codec's
   * encoder would write it from `build(true)` (a length-delimited
   * TraceEvent), straight from what the event holds; or writes nothing and
   * returns false, and the hub builds it. For the kinds of event a busy
   * trace is made of.
   */
  writeLight?: (w: ProtoWriter) => boolean;
}

/**
 * A recorder that holds events it has not yet handed to the hub (see
 * packet-observer's DeferredPackets): the hub has it `drain` them, in the
 * order they happened, before it records any other event, before anything
 * reads the trace, and at each flush (every flushIntervalMs).
 */
export interface DeferredSource {
  drain(): void;
}

/** The most seqs one `get` (LabService.GetEvents) may ask for. */
export const MAX_GET_EVENTS = 500;

/** A batch for one subscriber, with how many events it missed. */
export interface TraceBatch {
  events: TraceEvent[];
  dropped: number;
  /**
   * For a subscriber that asked for `encoded`: the batch's events already
   * in protobuf binary, as the fields of a repeated `TraceEvent events = 1`
   * field are on the wire (tag, length, TraceEvent, for each event), in
   * runs of whole fields; `events` is then empty.
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
  /** How long events are gathered before they are built and sent, in ms. */
  flushIntervalMs?: number;
  /**
   * For a busy page (its last batch held BUSY_FLUSH_EVENTS or more): its
   * next batch goes this long after that one, in ms; its events are still
   * built every flushIntervalMs.
   */
  busyFlushIntervalMs?: number;
}

/**
 * An event as recorded: the init shape, made into a TraceEvent message only
 * when someone reads it (a subscriber, a replay, a test). Recording stays
 * cheap when no page is watching. Its seq is a number until then (a BigInt
 * would be one more object per event for the collector to copy while the
 * event waits in the session's buffer); seqs stay far below 2^53.
 */
type Recorded = (Omit<TraceEventInit, "seq"> | LazyTraceEvent) & { seq: number; timeUnixMs: number };

/** An event's seq as a number, recorded or made into a message. */
function seqOf(e: Recorded | TraceEvent): number {
  return typeof e.seq === "bigint" ? Number(e.seq) : e.seq;
}

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
  if ("build" in r) return Object.assign(r.build(light), { session: r.session, seq: BigInt(r.seq), timeUnixMs: r.timeUnixMs }) as TraceEventInit;
  return { ...r, seq: BigInt(r.seq) } as TraceEventInit;
}

function materialize(r: Recorded | TraceEvent, light = false): TraceEvent {
  const fields = fieldsOf(r, light);
  if (!light) return create(TraceEventSchema, fields);
  return "$typeName" in fields ? lighten(fields as TraceEvent) : create(TraceEventSchema, lightInit(fields));
}

/** The tag of StreamTraceResponse's `repeated TraceEvent events = 1` (field 1, length-delimited). */
export const EVENTS_FIELD_TAG = (1 << 3) | 2;

/** Events encoded straight from their fields (see trace-codec), as one run of `events` fields (see TraceBatch.encoded). */
function encodeEvents(events: Array<Recorded | TraceEvent>, light: boolean, encode: NonNullable<typeof traceEventEncoder>): Uint8Array {
  const w = new ProtoWriter(events.length * 320);
  for (const e of events) {
    w.varint(EVENTS_FIELD_TAG);
    // The light encoding leaves the heavy fields out, whatever the event holds.
    // A lazy event's builder gives all but session, seq and time, which the encoder reads off the event.
    if (!("build" in e)) encode(w, e, light);
    else if (!light || !e.writeLight?.(w)) encode(w, e.build(light), light, e);
  }
  return w.buf.subarray(0, w.pos);
}

/** Events built for one page per event-loop turn, at least (a page streaming alone gets the whole turn). */
const FLUSH_SLICE_EVENTS = 64;

/**
 * Events built and encoded per event-loop turn, all subscribers together
 * (≈0.5 ms of work): with a class of 200 pages streaming, one turn could
 * otherwise take a slice for every page at once.
 */
const FLUSH_TURN_EVENTS = 256;

/**
 * A batch of this many events marks its page busy: the page's events are
 * still built (encoded) every `flushIntervalMs`, but its next batch is
 * delivered `busyFlushIntervalMs` after this one (other pages keep theirs:
 * one learner's load run does not slow the class's traces). What a page
 * sees first after a quiet spell still comes within 50 ms, and a stream of
 * thousands of events a second (a load run with a page open) costs four
 * writes a second instead of twenty: with MQTT request/reply at QoS 1
 * (3,300 calls/s, 8 events each) batches of 250 ms instead of 50 ms took
 * the trace's throughput ratio from 0.75–0.87 to 0.83–0.95 in paired runs
 * (npm run bench), the same events delivered.
 *
 * Building a busy page's events every 50 ms all the same, not once per
 * 250 ms, is for the garbage collector: encoded, a waiting event is bytes
 * outside the JS heap; as an object in the page's queue it would live
 * through several scavenges (every ~30 ms under such load) and be copied
 * each time (MQTT QoS 0, 48k events, --trace-gc, with a session buffer of
 * 100 events so that the queue is what keeps them: the lab's scavenges
 * took 36 ms more with the trace on than off, 20 ms built every 50 ms;
 * with the default buffer of 5,000, the buffer keeps them anyway).
 */
const BUSY_FLUSH_EVENTS = 256;

/**
 * A page gets what was built for it in one batch: when the round has
 * finished with it (a busy page: when its busy interval is up), or sooner
 * once the batch holds this many encoded bytes (or BATCH_EVENTS message
 * events). A batch is one message on the stream, one write and one wake-up
 * of the reader, so a busy page's 250 ms of events cost a write or two
 * instead of one per slice (MQTT request/reply at QoS 0: ~110 writes a
 * second before, each a syscall and a message through the stream's
 * pipeline).
 */
const BATCH_BYTES = 256 * 1024;
const BATCH_EVENTS = 1024;

interface Subscriber {
  queue: Array<Recorded | TraceEvent>;
  dropped: number;
  /** Light events (see `lighten`) for this subscriber. */
  light: boolean;
  /** Batches with the events encoded (TraceBatch.encoded). */
  encoded: boolean;
  deliver: (batch: TraceBatch) => void;
  /** Whether its last batch made it busy (BUSY_FLUSH_EVENTS); when that batch went (performance.now()). */
  busy: boolean;
  lastDelivery: number;
  /** What has been built for the page and not yet delivered: the batch, its encoded bytes and its events. */
  out: TraceBatch | undefined;
  outBytes: number;
  outEvents: number;
  /** Unsubscribed: nothing more is built or delivered. */
  closed: boolean;
}

interface SessionLog {
  nextSeq: number;
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
 * delivered in batches, one message each, so a busy page costs a few
 * writes a second.
 */
export class TraceHub {
  readonly enabled: boolean;
  private readonly sessions = new Map<string, SessionLog>();
  private lastSession = "";
  private lastLog: SessionLog | undefined;
  private readonly bufferEvents: number;
  private readonly backlog: number;
  private readonly flushIntervalMs: number;
  private readonly busyFlushIntervalMs: number;
  private readonly pending = new Set<Subscriber>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Busy pages whose built batch waits for their busy interval, and the timer that delivers them. */
  private readonly held = new Set<Subscriber>();
  private holdTimer: NodeJS.Timeout | undefined;
  /** When the hold timer fires (performance.now()). */
  private holdDue = 0;
  /** Closed: no more rounds, deliveries or timers. */
  private closed = false;
  /**
   * A flush round is under way: its slices follow on the next event-loop
   * turns (a new timer waits for it to end).
   */
  private flushing = false;
  /** Recorders holding events (see DeferredSource); `deferring` while any holds some, `draining` while they hand them over. */
  private readonly sources = new Set<DeferredSource>();
  private deferring = false;
  private draining = false;

  constructor(options: TraceHubOptions) {
    this.enabled = options.enabled;
    this.bufferEvents = options.bufferEvents;
    this.backlog = options.subscriberBacklog ?? 10_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.busyFlushIntervalMs = Math.max(this.flushIntervalMs, options.busyFlushIntervalMs ?? 250);
  }

  /** Records one event for its session; a no-op when the trace is off. */
  emit(init: TraceEventInit | LazyTraceEvent): void {
    if (!this.enabled || this.closed || init.session === "") return;
    // Events held by a recorder happened first.
    if (this.deferring && !this.draining) this.drainDeferred();
    const log = this.log(init.session);
    const event = init as unknown as Recorded;
    event.seq = ++log.nextSeq;
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

  /**
   * A recorder starts holding events (see DeferredSource): they are drained
   * at the next flush, within flushIntervalMs, or sooner when the trace is
   * read or another event is recorded.
   */
  defer(source: DeferredSource): void {
    if (this.closed) return;
    this.sources.add(source);
    this.deferring = true;
    if (this.flushTimer === undefined && !this.flushing) this.flushTimer = setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  /** Has every recorder hand over what it holds, in order. */
  drainDeferred(): void {
    if (!this.deferring || this.draining) return;
    this.deferring = false;
    this.draining = true;
    try {
      for (const source of this.sources) source.drain();
    } finally {
      this.draining = false;
    }
  }

  /** The session's buffered events with seq greater than `afterSeq`, oldest first. */
  recent(session: string, afterSeq = 0n): TraceEvent[] {
    this.drainDeferred();
    const log = this.sessions.get(session);
    if (!log) return [];
    const out: TraceEvent[] = [];
    const n = log.ring.length;
    for (let i = 0; i < n; i++) {
      const idx = (log.head + i) % n;
      const e = log.ring[idx];
      if (seqOf(e) <= Number(afterSeq)) continue;
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
    this.drainDeferred();
    const log = this.sessions.get(session);
    const n = log?.ring.length ?? 0;
    if (!log || n === 0) return [];
    // The ring holds consecutive seqs, oldest at `head`: a seq's slot is
    // its distance from the oldest.
    const oldest = seqOf(log.ring[log.head]);
    const out: TraceEvent[] = [];
    const seen = new Set<number>();
    for (const asked of seqs) {
      const seq = Number(asked);
      if (seen.has(seq)) continue;
      seen.add(seq);
      const offset = seq - oldest;
      if (offset < 0 || offset >= n) continue;
      let idx = (log.head + offset) % n;
      if (seqOf(log.ring[idx]) !== seq) {
        idx = log.ring.findIndex((e) => seqOf(e) === seq);
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
    this.drainDeferred();
    const log = this.log(session);
    const light = opts.light === true;
    const sub: Subscriber = {
      queue: [],
      dropped: 0,
      light,
      encoded: opts.encoded === true && traceEventEncoder !== undefined,
      deliver,
      busy: false,
      lastDelivery: Number.NEGATIVE_INFINITY,
      out: undefined,
      outBytes: 0,
      outEvents: 0,
      closed: false,
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
      this.held.delete(sub);
      sub.closed = true;
      sub.queue = [];
      sub.dropped = 0;
      sub.out = undefined;
    };
  }

  /** The seq of the session's newest event (0 before its first); a reset keeps counting on. */
  lastSeq(session: string): number {
    this.drainDeferred();
    return this.sessions.get(session)?.nextSeq ?? 0;
  }

  /** Forgets a session's events (sandbox reset). Subscribers stay. */
  clear(session: string): void {
    this.drainDeferred();
    const log = this.sessions.get(session);
    if (!log) return;
    log.ring = [];
    log.head = 0;
    log.evicted = 0;
  }

  /** Drops a session entirely (it expired). */
  forget(session: string): void {
    this.drainDeferred();
    this.sessions.delete(session);
    if (session === this.lastSession) this.lastLog = undefined;
  }

  close(): void {
    // A round under way stops at its next turn.
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.flushTimer = undefined;
    this.holdTimer = undefined;
    this.pending.clear();
    this.held.clear();
    this.flushing = false;
    this.sources.clear();
    this.deferring = false;
  }

  /** The buffered events with seq greater than `afterSeq`, oldest first, as recorded. */
  private buffered(log: SessionLog, afterSeq: bigint): Array<Recorded | TraceEvent> {
    const out: Array<Recorded | TraceEvent> = [];
    const n = log.ring.length;
    for (let i = 0; i < n; i++) {
      const e = log.ring[(log.head + i) % n];
      if (seqOf(e) > Number(afterSeq)) out.push(e);
    }
    return out;
  }

  private log(session: string): SessionLog {
    // Events come in runs from one session: the last one's log saves a Map lookup per event.
    if (session === this.lastSession && this.lastLog) return this.lastLog;
    let log = this.sessions.get(session);
    if (!log) {
      log = { nextSeq: 0, ring: [], head: 0, subscribers: new Set(), evicted: 0 };
      this.sessions.set(session, log);
    }
    this.lastSession = session;
    this.lastLog = log;
    return log;
  }

  /** Starts a flush round with every page that has events waiting (the timer's callback). */
  private flush(): void {
    this.flushTimer = undefined;
    this.flushing = true;
    this.drainDeferred();
    const subs = [...this.pending];
    this.pending.clear();
    this.flushTurn(subs);
  }

  /** Sends what was built for a page as one batch; its size decides whether the page is busy. */
  private deliverOut(sub: Subscriber): void {
    const out = sub.out;
    this.held.delete(sub);
    if (!out || sub.closed) return;
    sub.busy = sub.outEvents >= BUSY_FLUSH_EVENTS;
    sub.lastDelivery = performance.now();
    sub.out = undefined;
    sub.outBytes = 0;
    sub.outEvents = 0;
    sub.deliver(out);
  }

  /** How long a busy page's batch has still to wait at `now` (ms). */
  private dueIn(sub: Subscriber, now: number): number {
    return sub.lastDelivery + this.busyFlushIntervalMs - now;
  }

  /** A page the round has finished with: its batch goes now, or when its busy interval is up. */
  private finished(sub: Subscriber): void {
    const now = performance.now();
    const wait = sub.busy ? this.dueIn(sub, now) : 0;
    if (wait <= 1) return this.deliverOut(sub);
    this.held.add(sub);
    // One timer for all held pages, set for the earliest of them.
    if (this.holdTimer === undefined || now + wait < this.holdDue - 1) this.holdFor(wait);
  }

  private holdFor(wait: number): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdDue = performance.now() + wait;
    this.holdTimer = setTimeout(() => this.release(), wait);
  }

  /** Delivers the held batches whose busy interval is up; the timer comes back for the others. */
  private release(): void {
    this.holdTimer = undefined;
    if (this.closed) return;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const sub of this.held) {
      const wait = this.dueIn(sub, now);
      if (wait <= 1) this.deliverOut(sub);
      else next = Math.min(next, wait);
    }
    if (next !== Number.POSITIVE_INFINITY) this.holdFor(next);
  }

  /**
   * One turn of a round. Building and encoding events costs a few µs each:
   * pages get them in slices, their share of the turn (at least FLUSH_SLICE_EVENTS) and
   * FLUSH_TURN_EVENTS in all per event-loop turn, so a busy batch never
   * stalls the requests being served for milliseconds at a time. The round
   * goes on, next turn, with the pages this turn's budget did not reach
   * (first) and those with more left; a page whose first events arrive
   * during the round waits for the next batch, so steady traffic does not
   * keep a round running every turn.
   */
  private flushTurn(subs: Subscriber[]): void {
    if (this.closed) return;
    const waiting: Subscriber[] = [];
    const unfinished: Subscriber[] = [];
    let budget = FLUSH_TURN_EVENTS;
    for (const sub of subs) {
      if (sub.closed || (sub.queue.length === 0 && sub.dropped === 0)) continue;
      if (budget <= 0) {
        waiting.push(sub);
        continue;
      }
      // A page's slice is its share of the turn, at least FLUSH_SLICE_EVENTS: a page streaming alone gets the whole turn.
      const n = Math.min(Math.max(FLUSH_SLICE_EVENTS, Math.floor(FLUSH_TURN_EVENTS / subs.length)), budget);
      const slice = sub.queue.length <= n ? sub.queue : sub.queue.slice(0, n);
      sub.queue = slice === sub.queue ? [] : sub.queue.slice(n);
      budget -= slice.length;
      const out = (sub.out ??= { events: [], encoded: sub.encoded ? [] : undefined, dropped: 0 });
      if (slice.length === 0) {
        // Only a count of dropped events to report.
      } else if (out.encoded && traceEventEncoder) {
        const run = encodeEvents(slice, sub.light, traceEventEncoder);
        out.encoded.push(run);
        sub.outBytes += run.length;
      } else {
        for (const e of slice) out.events.push(materialize(e, sub.light));
      }
      out.dropped += sub.dropped;
      sub.dropped = 0;
      sub.outEvents += slice.length;
      if (sub.outBytes >= BATCH_BYTES || out.events.length >= BATCH_EVENTS) this.deliverOut(sub);
      if (sub.queue.length > 0) unfinished.push(sub);
      else this.finished(sub);
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
    if (this.pending.size > 0 || this.deferring) this.flushTimer ??= setTimeout(() => this.flush(), this.flushIntervalMs);
  }

}
