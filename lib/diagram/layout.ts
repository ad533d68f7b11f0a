/**
 * Sequence-diagram layout: TraceEvent[] → lifelines and arrows with pixel
 * positions. Pure and deterministic (same events and options, same layout),
 * O(n log n) in the number of events, no DOM and no React.
 *
 * How events become arrows (see proto/lab/v1/trace.proto):
 * - REQUEST_SENT + REQUEST_RECEIVED of one span → one "call" arrow from the
 *   send time (y1) to the receive time (y2). One side alone (a curl call seen
 *   only by the server) → an arrow at that single time.
 * - RESPONSE_SENT + RESPONSE_RECEIVED of one span → one "reply" arrow from the
 *   callee back to the caller, whichever way the recorder spelled from/to.
 * - STREAM_MESSAGE → one "stream" arrow per (span, stream_index, direction),
 *   sender and receiver observations paired; grouped per span.
 * - MQTT_PACKET → one arrow per packet, observed at the broker: a client's
 *   PUBLISH is "async", the broker's PUBLISH to a subscriber "delivery",
 *   PUBACK/PUBREC/PUBREL/PUBCOMP/CONNACK/SUBACK… "ack", the rest "control".
 * - PROCESSED, FAULT → a "self" note on the observer's lifeline.
 * - ERROR → an arrow pointing at the participant that saw the failure, with
 *   a marker (timeout / reset / error); a note when it names no peer.
 * - DEAD_LETTER, CONNECTION → an arrow between from and to, or a note.
 */
import { EventKind, Mode, type TraceEvent } from "../gen/lab/v1/trace_pb";
import { formatBytes, formatMs, httpStatusText, kindLabel, modeLabel, shortTopic } from "./format";

export type ArrowKind = "call" | "reply" | "async" | "delivery" | "ack" | "control" | "stream" | "self";
export type ArrowMarker = "error" | "timeout" | "reset" | "fault" | "dead-letter";
export type TimeAxis = "scale" | "compact";

export const ARROW_KINDS: readonly ArrowKind[] = [
  "call",
  "reply",
  "async",
  "delivery",
  "ack",
  "control",
  "stream",
  "self",
];

export interface DiagramFilter {
  /** Keep only events of these modes (empty or absent: all). */
  modes?: readonly Mode[];
  /** Keep only events with from, to or observer among these (empty or absent: all). */
  participants?: readonly string[];
  /** Keep only events of these kinds (empty or absent: all). */
  kinds?: readonly EventKind[];
  /** Keep only arrows of these kinds, e.g. hide MQTT "ack" and "control" noise. */
  arrowKinds?: readonly ArrowKind[];
  /** Keep only events of these spans. */
  spanIds?: readonly string[] | ReadonlySet<string>;
}

export interface LayoutOptions {
  /** "scale": y proportional to time; "compact": one row per arrow. Default "scale". */
  axis?: TimeAxis;
  /** Scale mode: pixels per millisecond at zoom 1. Default 4. */
  pxPerMs?: number;
  /** Scale mode: least vertical distance between two arrows, so labels never overlap. Default 40. */
  minGap?: number;
  /** Compact mode: row height at zoom 1 (never below minGap). Default 44. */
  rowHeight?: number;
  /** Scale mode: an idle gap taller than this is cut and marked as a break. Default 160. */
  maxGapPx?: number;
  /** Vertical zoom: multiplies pxPerMs, maxGapPx and rowHeight. Default 1. */
  zoom?: number;
  /** Horizontal distance between two lifelines. Default 210, or fitted to fitWidth. */
  columnWidth?: number;
  /**
   * Width available (e.g. the container's): without an explicit columnWidth,
   * lifelines spread to fill it, between minColumnWidth and maxColumnWidth.
   */
  fitWidth?: number;
  /** Bounds for fitted columns. Defaults 170 and 300. */
  minColumnWidth?: number;
  maxColumnWidth?: number;
  /** Width of the time axis on the left. Default 96. */
  gutter?: number;
  /** Height of the lifeline headers; arrows start below. Default 48. */
  headerHeight?: number;
  filter?: DiagramFilter;
  /** Participants to put first, in this order; the rest follow the default order. */
  lifelineOrder?: readonly string[];
  /** Epoch ms of time zero. Default: the first (filtered) event's time. */
  t0?: number;
}

export interface Lifeline {
  name: string;
  index: number;
  /** Centre x of the lifeline. */
  x: number;
}

export interface DiagramArrow {
  /** Stable id: derived from span id and phase, unique within a layout. */
  id: string;
  /** Position in layout.arrows (sorted by y1). */
  index: number;
  kind: ArrowKind;
  /** Sender and receiver lifelines; equal for "self". */
  from: string;
  to: string;
  x1: number;
  x2: number;
  /** y of the send (or single) observation. */
  y1: number;
  /** y of the receive observation; y2 >= y1. */
  y2: number;
  /** Milliseconds since layout.t0 of the send and receive observations. */
  t1: number;
  t2: number;
  mode: Mode;
  /** Main text, e.g. "GET /rest/users/1", "PUBLISH …/events/order.created". */
  label: string;
  /** Secondary line, e.g. "REST · 200 OK · 3.2 ms · 412 B". */
  detail: string;
  /** "200 OK", "ok", "not_found", "rc 0". */
  status?: string;
  /** "3.2 ms". */
  latency?: string;
  latencyMs?: number;
  /** MQTT: "QoS 1 · DUP · #12". */
  annotation?: string;
  /** Bytes of the message on the wire (header + body + framing). */
  bytes?: number;
  marker?: ArrowMarker;
  /** The marker in words, e.g. "⏱ timeout". */
  markerText?: string;
  spanId: string;
  parentSpanId: string;
  /** Id of the arrow this one retries (the first arrow of retry_of_span_id). */
  retryOf?: string;
  attempt: number;
  /** Stream messages: position within the span's stream. */
  stream?: { index: number; count: number };
  /** Everything in one sentence: aria-label and tooltip. */
  text: string;
  /** The source events, in time order (one or two). */
  events: TraceEvent[];
}

export interface StreamGroup {
  spanId: string;
  /** Indexes into layout.arrows. */
  first: number;
  last: number;
  count: number;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

export interface AxisTick {
  y: number;
  ms: number;
  label: string;
}

export interface AxisBreak {
  /** The cut gap spans y1..y2 (from the line of one arrow). */
  y1: number;
  y2: number;
  ms: number;
  label: string;
}

export interface DiagramLayout {
  axis: TimeAxis;
  lifelines: Lifeline[];
  arrows: DiagramArrow[];
  groups: StreamGroup[];
  ticks: AxisTick[];
  breaks: AxisBreak[];
  width: number;
  height: number;
  headerHeight: number;
  gutter: number;
  columnWidth: number;
  /** Minimum distance between two arrows' y1. */
  rowGap: number;
  /** Epoch ms of time zero. */
  t0: number;
  /** Time of the last observation, ms since t0. */
  durationMs: number;
  /** Largest y2 − y1 of any arrow (for windowing). */
  maxSpanY: number;
  /** Events drawn (after filters) and events given. */
  eventCount: number;
  totalEventCount: number;
}

export const DEFAULTS = {
  axis: "scale" as TimeAxis,
  pxPerMs: 4,
  minGap: 40,
  rowHeight: 44,
  maxGapPx: 160,
  columnWidth: 210,
  gutter: 96,
  headerHeight: 48,
  bottomPad: 40,
  tickMinPx: 56,
};

// ---------------------------------------------------------------------------
// Lifeline order
// ---------------------------------------------------------------------------

/** Callers that are tools rather than services (see lib/trace/participants.ts, server/mqtt/participants.ts). */
const TOOL_RE =
  /^(curl|buf|grpcurl|grpc-go|httpie|http|wget|postman|insomnia|autocannon|k6|cli|client|tool|tools|learner|teacher|test|node|script|mosquitto(_pub|_sub)?|mqtt\.?js|mqttx|mqtt-cli|mqtt client)\b/i;
const BROKER_RE = /broker|aedes|emqx|hivemq|rabbitmq/i;

/** Default rank of a participant: Browser, tools, Gateway, UserService, OrderService, Broker, Inventory, Notification, others. */
export function participantRank(name: string): number {
  if (/^browser/i.test(name)) return 0;
  if (TOOL_RE.test(name)) return 1;
  if (/gateway/i.test(name)) return 2;
  if (/^users?(service|svc|-service|_service)?$/i.test(name) || /^user/i.test(name)) return 3;
  if (/^orders?/i.test(name)) return 4;
  if (BROKER_RE.test(name)) return 5;
  if (/^inventory/i.test(name)) return 6;
  if (/^notif/i.test(name)) return 7;
  return 8;
}

export function isBrokerName(name: string): boolean {
  return BROKER_RE.test(name);
}

/** Orders participant names: explicit order first, then by rank, then by first appearance. */
export function orderParticipants(namesInAppearanceOrder: readonly string[], explicit: readonly string[] = []): string[] {
  const pos = new Map<string, number>();
  namesInAppearanceOrder.forEach((n, i) => {
    if (!pos.has(n)) pos.set(n, i);
  });
  const explicitPos = new Map<string, number>();
  explicit.forEach((n, i) => {
    if (!explicitPos.has(n)) explicitPos.set(n, i);
  });
  return [...pos.keys()].sort((a, b) => {
    const ea = explicitPos.get(a);
    const eb = explicitPos.get(b);
    if (ea !== undefined || eb !== undefined) {
      if (ea === undefined) return 1;
      if (eb === undefined) return -1;
      return ea - eb;
    }
    const ra = participantRank(a);
    const rb = participantRank(b);
    if (ra !== rb) return ra - rb;
    return (pos.get(a) ?? 0) - (pos.get(b) ?? 0);
  });
}

// ---------------------------------------------------------------------------
// Filtering
// ---------------------------------------------------------------------------

function toSet<T>(v: readonly T[] | ReadonlySet<T> | undefined): ReadonlySet<T> | null {
  if (!v) return null;
  const s = v instanceof Set ? (v as ReadonlySet<T>) : new Set(v as readonly T[]);
  return s.size ? s : null;
}

/** The events a filter keeps (arrowKinds is applied later, to arrows). */
export function filterEvents(events: readonly TraceEvent[], filter: DiagramFilter | undefined): TraceEvent[] {
  if (!filter) return events.slice();
  const modes = toSet(filter.modes);
  const parts = toSet(filter.participants);
  const kinds = toSet(filter.kinds);
  const spans = toSet(filter.spanIds);
  if (!modes && !parts && !kinds && !spans) return events.slice();
  return events.filter(
    (e) =>
      (!modes || modes.has(e.mode)) &&
      (!kinds || kinds.has(e.kind)) &&
      (!spans || spans.has(e.spanId)) &&
      (!parts || parts.has(e.from) || parts.has(e.to) || (!e.from && !e.to && parts.has(e.observer))),
  );
}

// ---------------------------------------------------------------------------
// Event → arrow drafts
// ---------------------------------------------------------------------------

interface Draft {
  key: string;
  kind: ArrowKind;
  /** Send-side and receive-side observations (paired kinds). */
  send?: TraceEvent;
  recv?: TraceEvent;
  /** A single observation (MQTT packet, note, error…). */
  single?: TraceEvent;
  /** Smallest input index of its events: the tie breaker. */
  order: number;
  from: string;
  to: string;
}

interface SpanEnds {
  caller: string;
  callee: string;
}

const RPC_MODES = new Set<Mode>([Mode.CONNECT, Mode.GRPC_WEB, Mode.GRPC]);
const ACK_PACKETS = new Set(["PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "CONNACK", "SUBACK", "UNSUBACK", "PINGRESP"]);

function mqttArrowKind(e: TraceEvent): ArrowKind {
  const pt = (e.mqtt?.packetType ?? "").toUpperCase();
  if (pt === "PUBLISH") {
    const broker = e.observer || (isBrokerName(e.from) ? e.from : isBrokerName(e.to) ? e.to : "");
    return broker && e.from === broker ? "delivery" : "async";
  }
  if (ACK_PACKETS.has(pt)) return "ack";
  return "control";
}

/** The participant a note of this event belongs to. */
function noteLifeline(e: TraceEvent): string {
  return e.observer || e.to || e.from || "(unknown)";
}

/** Caller/callee of every span, from its request events (both spellings agree on requests). */
function collectSpanEnds(events: readonly TraceEvent[]): Map<string, SpanEnds> {
  const ends = new Map<string, SpanEnds>();
  for (const e of events) {
    if (!e.spanId || ends.has(e.spanId)) continue;
    if ((e.kind === EventKind.REQUEST_SENT || e.kind === EventKind.REQUEST_RECEIVED) && e.from && e.to) {
      ends.set(e.spanId, { caller: e.from, callee: e.to });
    }
  }
  return ends;
}

/**
 * Direction of a response message. With the request known: callee → caller.
 * Otherwise the observer tells how from/to were meant: the RESPONSE_SENT
 * observer is the responder, the RESPONSE_RECEIVED observer the caller.
 */
function replyEnds(e: TraceEvent, ends: SpanEnds | undefined): [string, string] {
  if (ends) return [ends.callee, ends.caller];
  const responder = e.kind === EventKind.RESPONSE_SENT;
  if (e.observer) {
    if (responder && e.observer === e.to) return [e.to, e.from];
    if (!responder && e.observer === e.from) return [e.to, e.from];
    if (e.observer === e.from || e.observer === e.to) return [e.from, e.to];
  }
  // No observer to tell: from/to name the hop (caller → callee).
  return [e.to, e.from];
}

function buildDrafts(events: readonly TraceEvent[], ends: Map<string, SpanEnds>): Draft[] {
  const drafts: Draft[] = [];
  const open = new Map<string, Draft[]>();

  const pair = (key: string, kind: ArrowKind, side: "send" | "recv", e: TraceEvent, i: number, from: string, to: string) => {
    let list = open.get(key);
    if (!list) {
      list = [];
      open.set(key, list);
    }
    let d = list.find((x) => !x[side]);
    if (!d) {
      d = { key, kind, order: i, from, to };
      list.push(d);
      drafts.push(d);
    }
    d[side] = e;
    d.order = Math.min(d.order, i);
    // The sender's spelling of the ends wins.
    if (side === "send" || !d.send) {
      d.from = from || d.from;
      d.to = to || d.to;
    }
  };
  const single = (key: string, kind: ArrowKind, e: TraceEvent, i: number, from: string, to: string) => {
    drafts.push({ key, kind, single: e, order: i, from, to });
  };

  events.forEach((e, i) => {
    // Span-less events are keyed by seq or time, not position, so ids stay
    // stable when events are added, trimmed or filtered.
    const span = e.spanId || (e.seq > BigInt(0) ? `#${e.seq}` : `t${e.timeUnixMs.toFixed(3)}`);
    switch (e.kind) {
      case EventKind.REQUEST_SENT:
      case EventKind.REQUEST_RECEIVED: {
        const side = e.kind === EventKind.REQUEST_SENT ? "send" : "recv";
        const spanEnds = e.spanId ? ends.get(e.spanId) : undefined;
        const from = e.from || spanEnds?.caller || "";
        const to = e.to || spanEnds?.callee || "";
        if (e.spanId) pair(`${span}/req`, "call", side, e, i, from, to);
        else single(`${span}/req`, "call", e, i, from, to);
        break;
      }
      case EventKind.RESPONSE_SENT:
      case EventKind.RESPONSE_RECEIVED: {
        const side = e.kind === EventKind.RESPONSE_SENT ? "send" : "recv";
        const [from, to] = replyEnds(e, e.spanId ? ends.get(e.spanId) : undefined);
        if (e.spanId) pair(`${span}/res`, "reply", side, e, i, from, to);
        else single(`${span}/res`, "reply", e, i, from, to);
        break;
      }
      case EventKind.STREAM_MESSAGE: {
        const side = e.observer && e.observer === e.to ? "recv" : "send";
        if (e.spanId) pair(`${span}/s${e.streamIndex}/${e.from}>${e.to}`, "stream", side, e, i, e.from, e.to);
        else single(`${span}/s${e.streamIndex}`, "stream", e, i, e.from, e.to);
        break;
      }
      case EventKind.MQTT_PACKET: {
        const pt = (e.mqtt?.packetType || "packet").toLowerCase();
        const id = e.mqtt?.packetId ? `#${e.mqtt.packetId}` : "";
        single(`${span}/${pt}${id}/${e.from}>${e.to}`, mqttArrowKind(e), e, i, e.from, e.to);
        break;
      }
      case EventKind.PROCESSED:
      case EventKind.FAULT: {
        const who = noteLifeline(e);
        single(`${span}/${e.kind === EventKind.FAULT ? "fault" : "note"}/${who}`, "self", e, i, who, who);
        break;
      }
      case EventKind.ERROR: {
        if (e.from && e.to && e.from !== e.to) {
          // Point at whoever saw the failure.
          const back = e.observer === e.from;
          single(`${span}/error`, back ? "reply" : "call", e, i, back ? e.to : e.from, back ? e.from : e.to);
        } else {
          const who = noteLifeline(e);
          single(`${span}/error/${who}`, "self", e, i, who, who);
        }
        break;
      }
      case EventKind.DEAD_LETTER:
      case EventKind.CONNECTION:
      default: {
        const tag = e.kind === EventKind.DEAD_LETTER ? "dlq" : e.kind === EventKind.CONNECTION ? "conn" : "ev";
        if (e.from && e.to && e.from !== e.to) {
          const kind: ArrowKind = e.kind === EventKind.DEAD_LETTER ? "async" : "control";
          single(`${span}/${tag}/${e.from}>${e.to}`, kind, e, i, e.from, e.to);
        } else {
          const who = noteLifeline(e);
          single(`${span}/${tag}/${who}`, "self", e, i, who, who);
        }
      }
    }
  });
  return drafts;
}

// ---------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------

function draftEvents(d: Draft): TraceEvent[] {
  if (d.single) return [d.single];
  const out: TraceEvent[] = [];
  if (d.send) out.push(d.send);
  if (d.recv) out.push(d.recv);
  return out.sort((a, b) => a.timeUnixMs - b.timeUnixMs);
}

function byteTotal(e: TraceEvent | undefined): number | undefined {
  const b = e?.bytes;
  if (!b) return undefined;
  const n = b.header + b.body + b.framing;
  return n > 0 ? n : undefined;
}

function classifyErrorText(text: string): ArrowMarker {
  if (/time(d)?[\s_-]?out|deadline/i.test(text)) return "timeout";
  if (/reset|refused|ECONN|EPIPE|hang ?up|socket closed|broken pipe|aborted/i.test(text)) return "reset";
  return "error";
}

const MARKER_RANK: Record<ArrowMarker, number> = { timeout: 5, reset: 4, error: 3, "dead-letter": 2, fault: 1 };

export const MARKER_WORDS: Record<ArrowMarker, string> = {
  error: "✕ error",
  reset: "✕ reset",
  timeout: "⏱ timeout",
  fault: "⚡ fault",
  "dead-letter": "☠ dead letter",
};

/** The strongest marker any of the events calls for. */
export function markerOf(events: readonly TraceEvent[]): ArrowMarker | undefined {
  let best: ArrowMarker | undefined;
  const offer = (m: ArrowMarker) => {
    if (!best || MARKER_RANK[m] > MARKER_RANK[best]) best = m;
  };
  for (const e of events) {
    const code = e.rpc?.code ?? "";
    const status = e.http?.status ?? 0;
    // A dead letter carries the consumer's error: the dead letter is the news.
    if (e.kind === EventKind.DEAD_LETTER) {
      offer("dead-letter");
      continue;
    }
    if (e.kind === EventKind.ERROR) offer(classifyErrorText(`${e.error} ${code} ${e.summary}`));
    else if (e.error) offer(classifyErrorText(`${e.error} ${code}`));
    if (e.kind === EventKind.FAULT || e.fault?.ruleId || e.fault?.kind) offer("fault");
    if (code && code !== "ok") offer(code === "deadline_exceeded" ? "timeout" : "error");
    if (status >= 400) offer(status === 504 || status === 408 ? "timeout" : "error");
    const pt = e.mqtt?.packetType?.toUpperCase();
    const rc = e.mqtt?.returnCode ?? "";
    if (pt === "CONNACK" && rc && rc !== "0") offer("error");
    if (pt === "SUBACK" && /\b128\b/.test(rc)) offer("error");
  }
  return best;
}

function statusOf(events: readonly TraceEvent[]): string | undefined {
  for (const e of events) {
    if (RPC_MODES.has(e.mode) && e.rpc?.code) return e.rpc.code;
    if (e.http?.status) return httpStatusText(e.http.status);
    if (e.rpc?.code) return e.rpc.code;
    const m = e.mqtt;
    if (m?.returnCode) {
      const pt = m.packetType.toUpperCase();
      if (pt === "CONNACK") return m.returnCode === "0" ? "accepted" : `refused (${m.returnCode})`;
      if (pt === "SUBACK") return /\b128\b/.test(m.returnCode) ? "failure (128)" : `granted QoS ${m.returnCode}`;
      return `rc ${m.returnCode}`;
    }
  }
  return undefined;
}

function latencyOf(d: Draft): number | undefined {
  const candidates = [d.recv, d.single, d.send];
  for (const e of candidates) if (e && e.durationMs > 0) return e.durationMs;
  return undefined;
}

function mqttAnnotation(e: TraceEvent): string | undefined {
  const m = e.mqtt;
  if (!m) return undefined;
  const pt = m.packetType.toUpperCase();
  const parts: string[] = [];
  if (pt === "PUBLISH" || pt === "SUBSCRIBE") parts.push(`QoS ${m.qos}`);
  if (m.dup) parts.push("DUP");
  if (m.retain) parts.push("RETAIN");
  if (m.packetId) parts.push(`#${m.packetId}`);
  return parts.length ? parts.join(" · ") : undefined;
}

function rpcName(e: TraceEvent): string {
  const r = e.rpc;
  if (!r?.method) return "";
  return r.method;
}

function labelOf(d: Draft, events: readonly TraceEvent[], status: string | undefined): string {
  const summary = events.find((e) => e.summary)?.summary;
  if (summary) return summary;
  const e = d.send ?? d.single ?? d.recv ?? events[0];
  switch (e.kind) {
    case EventKind.REQUEST_SENT:
    case EventKind.REQUEST_RECEIVED: {
      if (e.http?.method && (e.mode === Mode.REST || !rpcName(e))) return `${e.http.method} ${e.http.path}`.trim();
      return rpcName(e) || e.http?.path || "request";
    }
    case EventKind.RESPONSE_SENT:
    case EventKind.RESPONSE_RECEIVED:
      return status ?? "response";
    case EventKind.STREAM_MESSAGE:
      return `${rpcName(e) || "stream"} message ${e.streamIndex + 1}`;
    case EventKind.MQTT_PACKET: {
      const pt = e.mqtt?.packetType || "MQTT";
      const topic = e.mqtt?.topic ? ` ${shortTopic(e.mqtt.topic)}` : "";
      return `${pt}${topic}`;
    }
    case EventKind.ERROR:
      return e.error || "error";
    case EventKind.FAULT: {
      const f = e.fault;
      if (!f) return "fault";
      const what = [f.kind, f.detail].filter(Boolean).join(": ") || "fault";
      return f.ruleId ? `${what} (rule ${f.ruleId})` : what;
    }
    case EventKind.DEAD_LETTER:
      return e.mqtt?.topic ? `dead letter → ${shortTopic(e.mqtt.topic)}` : "dead letter";
    case EventKind.CONNECTION:
      return "connection";
    case EventKind.PROCESSED:
      return "processed";
    default:
      return kindLabel(e.kind);
  }
}

/** The one-line label the diagram would give this event alone ("GET /rest/users/1", "PUBACK"). */
export function eventLabel(e: TraceEvent): string {
  const d: Draft = { key: "", kind: "call", order: 0, from: e.from, to: e.to, single: e };
  return labelOf(d, [e], statusOf([e]));
}

/** "200 OK", "ok", "not_found", "accepted"… or undefined. */
export function eventStatus(e: TraceEvent): string | undefined {
  return statusOf([e]);
}

// ---------------------------------------------------------------------------
// Time → y
// ---------------------------------------------------------------------------

export interface RowOptions {
  pxPerMs: number;
  minGap: number;
  maxGapPx: number;
  top: number;
  tickMinPx?: number;
}

export interface RowAssignment {
  /** y of every slot, in slot order. */
  ys: number[];
  breaks: AxisBreak[];
  /** y of a time (ms) on the shared axis; never above the first slot. */
  yAt(t: number): number;
  /**
   * y of an arrow's receive end: its own duration at the axis's scale (not
   * stretched by rows pushed down in between), but never below where its
   * receive time falls on the axis, so nothing that came after it is drawn
   * before it.
   */
  yEnd(y1: number, t1: number, t2: number): number;
  ticks(endMs: number): AxisTick[];
}

/**
 * Assigns a y to every slot (sorted by time). Each lane (a diagram column)
 * keeps minGap between its own slots; all lanes share one monotone time axis;
 * a gap taller than maxGapPx is cut to maxGapPx and reported as a break.
 */
export function assignScaleRows(ts: readonly number[], lanes: readonly number[] | null, o: RowOptions): RowAssignment {
  const n = ts.length;
  const ys = new Array<number>(n);
  const breaks: AxisBreak[] = [];
  const laneLast = new Map<number, number>();
  let prevT = n ? ts[0] : 0;
  let prevY = o.top;
  for (let k = 0; k < n; k++) {
    const t = ts[k];
    let y = o.top;
    if (k > 0) {
      const dt = Math.max(0, t - prevT);
      const dy = dt * o.pxPerMs;
      if (dy > o.maxGapPx) {
        breaks.push({ y1: prevY, y2: prevY + o.maxGapPx, ms: dt, label: formatMs(dt) });
        y = prevY + o.maxGapPx;
      } else {
        y = prevY + dy;
      }
    }
    const lane = lanes ? lanes[k] : 0;
    const last = laneLast.get(lane);
    if (last !== undefined) y = Math.max(y, last + o.minGap);
    ys[k] = y;
    laneLast.set(lane, y);
    prevT = t;
    prevY = y;
  }

  /** Index of the last slot with time < t, or -1. */
  const lastBefore = (t: number): number => {
    let lo = 0;
    let hi = n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] < t) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  };
  const yAt = (t: number): number => {
    if (!n) return o.top;
    const k = lastBefore(t);
    if (k < 0) return ys[0];
    return ys[k] + Math.min((t - ts[k]) * o.pxPerMs, o.maxGapPx);
  };

  const yEnd = (y1: number, t1: number, t2: number): number => {
    if (!(t2 > t1)) return y1;
    const local = y1 + Math.min((t2 - t1) * o.pxPerMs, o.maxGapPx);
    return Math.max(y1, Math.min(local, yAt(t2)));
  };

  const ticks = (endMs: number): AxisTick[] => {
    const out: AxisTick[] = [];
    if (!n) return out;
    const minPx = o.tickMinPx ?? DEFAULTS.tickMinPx;
    const step = niceStep(minPx / o.pxPerMs);
    let lastY = -Infinity;
    const push = (ms: number, y: number) => {
      if (y - lastY < minPx * 0.75) return;
      out.push({ ms, y, label: formatMs(ms) });
      lastY = y;
    };
    push(ts[0], ys[0]);
    const segment = (ta: number, ya: number, tb: number) => {
      // Ticks in (ta, tb] on the proportional part starting at (ta, ya).
      let T = (Math.floor(ta / step) + 1) * step;
      const maxTicks = Math.ceil(o.maxGapPx / (step * o.pxPerMs)) + 2;
      for (let c = 0; T <= tb && c < maxTicks; c++, T += step) push(T, ya + (T - ta) * o.pxPerMs);
    };
    let b = 0;
    for (let k = 1; k < n; k++) {
      const cut = b < breaks.length && breaks[b].y1 === ys[k - 1] && (ts[k] - ts[k - 1]) * o.pxPerMs > o.maxGapPx;
      if (cut) {
        b++;
        // Label where the axis resumes after a cut gap.
        push(ts[k], ys[k]);
        continue;
      }
      segment(ts[k - 1], ys[k - 1], ts[k]);
    }
    const tail = Math.min(endMs, ts[n - 1] + o.maxGapPx / o.pxPerMs);
    if (tail > ts[n - 1]) segment(ts[n - 1], ys[n - 1], tail);
    return out;
  };

  return { ys, breaks, yAt, yEnd, ticks };
}

/** 1, 2, 5 × 10^k at or above x. */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x - 1e-12) return m * p;
  return 10 * p;
}

// ---------------------------------------------------------------------------
// The layout
// ---------------------------------------------------------------------------

/** Arrows without positions: kind, ends, times (epoch ms) and texts. */
export interface ArrowDraft extends Omit<DiagramArrow, "index" | "x1" | "x2" | "y1" | "y2" | "t1" | "t2" | "detail" | "text"> {
  time1: number;
  time2: number;
  order: number;
  retryOfSpanId: string;
}

function finishDraft(d: Draft): ArrowDraft {
  const events = draftEvents(d);
  const first = d.send ?? d.single ?? d.recv ?? events[0];
  const time1 = (d.send ?? d.single ?? d.recv ?? events[0]).timeUnixMs;
  const time2 = d.send && d.recv ? d.recv.timeUnixMs : time1;
  const status = d.kind === "call" && !events.some((e) => e.kind === EventKind.ERROR) ? undefined : statusOf(events);
  const latencyMs = latencyOf(d);
  const marker = markerOf(events);
  const mqttEvent = events.find((e) => e.mqtt);
  const attempt = Math.max(0, ...events.map((e) => e.attempt));
  return {
    id: d.key,
    kind: d.kind,
    from: d.from || "(unknown)",
    to: d.to || "(unknown)",
    mode: first.mode,
    label: labelOf(d, events, status),
    status,
    latency: latencyMs !== undefined ? formatMs(latencyMs) : undefined,
    latencyMs,
    annotation: mqttEvent ? mqttAnnotation(mqttEvent) : undefined,
    bytes: byteTotal(d.send ?? d.single) ?? byteTotal(d.recv),
    marker,
    markerText: marker ? MARKER_WORDS[marker] : undefined,
    spanId: events.find((e) => e.spanId)?.spanId ?? "",
    parentSpanId: events.find((e) => e.parentSpanId)?.parentSpanId ?? "",
    retryOfSpanId: events.find((e) => e.retryOfSpanId)?.retryOfSpanId ?? "",
    attempt,
    events,
    time1,
    time2,
    order: d.order,
  };
}

/**
 * Pairs and labels events into arrow drafts, sorted by send time. `ends` may
 * come from a larger event set than `events` (so a reply keeps its direction
 * when its request was filtered away).
 */
export function buildArrowDrafts(events: readonly TraceEvent[], allEvents: readonly TraceEvent[] = events): ArrowDraft[] {
  const ends = collectSpanEnds(allEvents);
  const drafts = buildDrafts(events, ends).map(finishDraft);
  drafts.sort((a, b) => a.time1 - b.time1 || a.order - b.order);
  // Unique ids (a span may repeat a phase, e.g. two requests in one span).
  const seen = new Map<string, number>();
  for (const d of drafts) {
    const n = seen.get(d.id) ?? 0;
    seen.set(d.id, n + 1);
    if (n) d.id = `${d.id}~${n + 1}`;
  }
  return drafts;
}

function detailOf(a: ArrowDraft, stream: { index: number; count: number } | undefined): string {
  const parts: string[] = [];
  if (a.mode !== Mode.LOCAL && a.mode !== Mode.UNSPECIFIED && a.kind !== "self") parts.push(modeLabel(a.mode));
  if (a.markerText) parts.push(a.markerText);
  if (a.status && a.status !== a.label && !a.label.includes(a.status)) parts.push(a.status);
  if (a.latency) parts.push(a.latency);
  if (a.annotation) parts.push(a.annotation);
  if (stream) parts.push(`msg ${stream.index + 1}/${stream.count}`);
  if (a.attempt > 1) parts.push(`attempt ${a.attempt}`);
  if (a.bytes !== undefined && a.kind !== "self") parts.push(formatBytes(a.bytes));
  return parts.join(" · ");
}

function fullTextOf(a: ArrowDraft, detail: string, retryOfLabel: string | undefined): string {
  const head = a.kind === "self" ? `Note on ${a.from}: ${a.label}` : `${a.from} → ${a.to}: ${a.label}`;
  const extra: string[] = [];
  if (detail) extra.push(detail);
  const err = a.events.find((e) => e.error)?.error;
  if (err && !a.label.includes(err)) extra.push(`error: ${err}`);
  const rpcMsg = a.events.find((e) => e.rpc?.message)?.rpc?.message;
  if (rpcMsg && !a.label.includes(rpcMsg)) extra.push(rpcMsg);
  const fault = a.events.find((e) => e.fault && (e.fault.ruleId || e.fault.kind))?.fault;
  if (fault) extra.push(`fault rule ${fault.ruleId || "?"}: ${[fault.kind, fault.detail].filter(Boolean).join(" ")}`.trim());
  const topic = a.events.find((e) => e.mqtt?.topic)?.mqtt?.topic;
  if (topic && !a.label.includes(topic)) extra.push(`topic ${topic}`);
  if (retryOfLabel) extra.push(`retries ${retryOfLabel}`);
  return extra.length ? `${head} (${extra.join("; ")})` : head;
}

/** Index of the first element whose key is >= x in a sorted numeric array. */
function lowerBound<T>(arr: readonly T[], x: number, key: (v: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(arr[mid]) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ArrowPlacement {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  t1: number;
  t2: number;
}

/**
 * Turns sorted drafts into positioned arrows: numbers stream messages within
 * their span, links retries to the attempt they repeat, writes the detail and
 * accessible texts, and collects stream groups.
 */
export function materializeArrows(
  drafts: readonly ArrowDraft[],
  place: (d: ArrowDraft, k: number) => ArrowPlacement,
): { arrows: DiagramArrow[]; groups: StreamGroup[]; maxSpanY: number; maxY: number } {
  // Streams: index within each span's stream.
  const streamCount = new Map<string, number>();
  for (const d of drafts) if (d.kind === "stream") streamCount.set(d.spanId, (streamCount.get(d.spanId) ?? 0) + 1);
  const streamSeen = new Map<string, number>();

  // Retries: the first arrow of every span.
  const firstOfSpan = new Map<string, ArrowDraft>();
  for (const d of drafts) if (d.spanId && !firstOfSpan.has(d.spanId)) firstOfSpan.set(d.spanId, d);

  let maxSpanY = 0;
  let maxY = 0;
  const arrows: DiagramArrow[] = drafts.map((d, k) => {
    let stream: DiagramArrow["stream"];
    if (d.kind === "stream") {
      const i = streamSeen.get(d.spanId) ?? 0;
      streamSeen.set(d.spanId, i + 1);
      stream = { index: i, count: streamCount.get(d.spanId) ?? 1 };
    }
    let retryOf: string | undefined;
    let retryOfLabel: string | undefined;
    if (d.retryOfSpanId && firstOfSpan.get(d.spanId) === d) {
      const prev = firstOfSpan.get(d.retryOfSpanId);
      if (prev) {
        retryOf = prev.id;
        retryOfLabel = `${prev.label} (attempt ${prev.attempt || 1})`;
      } else retryOfLabel = `span ${d.retryOfSpanId}`;
    }
    const detail = detailOf(d, stream);
    const { x1, x2, y1, y2, t1, t2 } = place(d, k);
    maxSpanY = Math.max(maxSpanY, y2 - y1);
    maxY = Math.max(maxY, y2);
    const arrow: DiagramArrow = {
      id: d.id,
      index: k,
      kind: d.kind,
      from: d.from,
      to: d.to,
      x1,
      x2,
      y1,
      y2,
      t1,
      t2,
      mode: d.mode,
      label: d.label,
      detail,
      status: d.status,
      latency: d.latency,
      latencyMs: d.latencyMs,
      annotation: d.annotation,
      bytes: d.bytes,
      marker: d.marker,
      markerText: d.markerText,
      spanId: d.spanId,
      parentSpanId: d.parentSpanId,
      retryOf,
      attempt: d.attempt,
      stream,
      text: fullTextOf(d, detail, retryOfLabel),
      events: d.events,
    };
    return arrow;
  });

  // Stream groups (a span's stream messages, first to last).
  const groups: StreamGroup[] = [];
  const groupBySpan = new Map<string, StreamGroup>();
  for (const a of arrows) {
    if (a.kind !== "stream" || !a.spanId) continue;
    const lo = Math.min(a.x1, a.x2);
    const hi = Math.max(a.x1, a.x2);
    const g = groupBySpan.get(a.spanId);
    if (!g) {
      const ng: StreamGroup = { spanId: a.spanId, first: a.index, last: a.index, count: 1, x1: lo, x2: hi, y1: a.y1, y2: a.y2 };
      groupBySpan.set(a.spanId, ng);
      groups.push(ng);
    } else {
      g.last = a.index;
      g.count++;
      g.x1 = Math.min(g.x1, lo);
      g.x2 = Math.max(g.x2, hi);
      g.y2 = Math.max(g.y2, a.y2);
    }
  }

  return { arrows, groups, maxSpanY, maxY };
}

export function layoutDiagram(events: readonly TraceEvent[], options: LayoutOptions = {}): DiagramLayout {
  const axis = options.axis ?? DEFAULTS.axis;
  const zoom = clamp(options.zoom ?? 1, 0.05, 50);
  const minGap = options.minGap ?? DEFAULTS.minGap;
  const pxPerMs = (options.pxPerMs ?? DEFAULTS.pxPerMs) * zoom;
  const maxGapPx = Math.max(minGap * 2, (options.maxGapPx ?? DEFAULTS.maxGapPx) * zoom);
  const rowHeight = Math.max(minGap, (options.rowHeight ?? DEFAULTS.rowHeight) * zoom);
  const gutter = options.gutter ?? DEFAULTS.gutter;
  const headerHeight = options.headerHeight ?? DEFAULTS.headerHeight;
  const top = headerHeight + minGap;

  const kept = filterEvents(events, options.filter);
  let drafts = buildArrowDrafts(kept, events);
  const arrowKinds = toSet(options.filter?.arrowKinds);
  if (arrowKinds) drafts = drafts.filter((d) => arrowKinds.has(d.kind));

  // Drafts are sorted by time1, and a receive-only arrow never starts earlier.
  const t0 = options.t0 ?? (drafts.length ? drafts[0].time1 : 0);

  // Lifelines in order.
  const appearance: string[] = [];
  for (const d of drafts) {
    appearance.push(d.from);
    if (d.to !== d.from) appearance.push(d.to);
  }
  const names = orderParticipants(appearance, options.lifelineOrder);
  const columnWidth = fitColumnWidth(options, gutter, names.length);
  const lifelines: Lifeline[] = names.map((name, index) => ({
    name,
    index,
    x: gutter + columnWidth * (index + 0.5),
  }));
  const xOf = new Map(lifelines.map((l) => [l.name, l.x]));

  // Rows.
  const ts = drafts.map((d) => d.time1 - t0);
  let ys: number[];
  let y2s: number[];
  let ticks: AxisTick[] = [];
  let breaks: AxisBreak[] = [];
  let durationMs = 0;
  for (const d of drafts) durationMs = Math.max(durationMs, d.time2 - t0, d.time1 - t0);
  if (axis === "compact") {
    ys = drafts.map((_, k) => top + k * rowHeight);
    y2s = ys;
  } else {
    const rows = assignScaleRows(ts, null, { pxPerMs, minGap, maxGapPx, top });
    ys = rows.ys;
    y2s = drafts.map((d, k) => rows.yEnd(ys[k], d.time1 - t0, d.time2 - t0));
    ticks = rows.ticks(durationMs);
    breaks = rows.breaks;
  }

  const { arrows, groups, maxSpanY, maxY } = materializeArrows(drafts, (d, k) => ({
    x1: xOf.get(d.from) ?? gutter,
    x2: xOf.get(d.to) ?? gutter,
    y1: ys[k],
    y2: y2s[k],
    t1: d.time1 - t0,
    t2: d.time2 - t0,
  }));

  const width = gutter + columnWidth * Math.max(1, lifelines.length) + 16;
  const height = Math.ceil(Math.max(maxY, top) + DEFAULTS.bottomPad);
  return {
    axis,
    lifelines,
    arrows,
    groups,
    ticks,
    breaks,
    width,
    height,
    headerHeight,
    gutter,
    columnWidth,
    rowGap: axis === "compact" ? rowHeight : minGap,
    t0,
    durationMs,
    maxSpanY,
    eventCount: kept.length,
    totalEventCount: events.length,
  };
}

function fitColumnWidth(o: LayoutOptions, gutter: number, lifelineCount: number): number {
  if (o.columnWidth !== undefined) return o.columnWidth;
  if (!o.fitWidth || lifelineCount === 0) return DEFAULTS.columnWidth;
  const lo = o.minColumnWidth ?? 170;
  const hi = Math.max(lo, o.maxColumnWidth ?? 300);
  return clamp(Math.floor((o.fitWidth - gutter - 16) / lifelineCount), lo, hi);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * Arrows whose drawing intersects the vertical window [top, bottom] (plus
 * `overscan` px each side), in index order. O(log n + visible).
 */
export function arrowsInWindow(layout: DiagramLayout, top: number, bottom: number, overscan = 200): DiagramArrow[] {
  const lo = top - overscan;
  const hi = bottom + overscan;
  const arrows = layout.arrows;
  // Labels sit up to one row above y1.
  const start = lowerBound(arrows, lo - layout.maxSpanY - layout.rowGap, (a) => a.y1);
  const out: DiagramArrow[] = [];
  for (let i = start; i < arrows.length; i++) {
    const a = arrows[i];
    if (a.y1 - layout.rowGap > hi) break;
    if (a.y2 + layout.rowGap >= lo) out.push(a);
  }
  return out;
}

/** Items with a y (ticks, breaks) inside the window, assuming sorted by y. */
export function inWindow<T extends { y?: number; y1?: number }>(items: readonly T[], top: number, bottom: number): T[] {
  const key = (v: T) => (v.y ?? v.y1 ?? 0);
  const start = lowerBound(items, top, key);
  const out: T[] = [];
  for (let i = start; i < items.length && key(items[i]) <= bottom; i++) out.push(items[i]);
  return out;
}

// ---------------------------------------------------------------------------
// Helpers for controls and side-by-side views
// ---------------------------------------------------------------------------

export interface Facets {
  modes: Mode[];
  participants: string[];
  kinds: EventKind[];
}

/** Which modes, participants and kinds occur, in display order (filter chips). */
export function collectFacets(events: readonly TraceEvent[]): Facets {
  const modes = new Set<Mode>();
  const kinds = new Set<EventKind>();
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    modes.add(e.mode);
    kinds.add(e.kind);
    for (const p of [e.from, e.to]) {
      if (p && !seen.has(p)) {
        seen.add(p);
        parts.push(p);
      }
    }
  }
  return {
    modes: [...modes].sort((a, b) => a - b),
    participants: orderParticipants(parts),
    kinds: [...kinds].sort((a, b) => a - b),
  };
}

/** Span ids of a root span and all its descendants (via parent_span_id). */
export function spanTree(events: readonly TraceEvent[], rootSpanId: string): Set<string> {
  const children = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.spanId || !e.parentSpanId || e.parentSpanId === e.spanId) continue;
    let s = children.get(e.parentSpanId);
    if (!s) children.set(e.parentSpanId, (s = new Set()));
    s.add(e.spanId);
  }
  const out = new Set<string>([rootSpanId]);
  const queue = [rootSpanId];
  while (queue.length) {
    const s = queue.pop()!;
    for (const c of children.get(s) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
    }
  }
  return out;
}

export interface RootSpanSummary {
  spanId: string;
  mode: Mode;
  label: string;
  startMs: number;
  /** Latency of the root hop as its caller saw it (duration_ms), if recorded. */
  responseMs?: number;
  /** First to last event of the whole span tree. */
  totalMs: number;
  /** Bytes on the wire over all messages of the tree. */
  bytes: number;
  eventCount: number;
}

/**
 * Spans without a (known) parent, newest last: the calls a learner made.
 * Each with its tree's latency and bytes.
 */
export function rootSpans(events: readonly TraceEvent[]): RootSpanSummary[] {
  const spans = new Set<string>();
  const parentOf = new Map<string, string>();
  for (const e of events) {
    if (!e.spanId) continue;
    spans.add(e.spanId);
    if (e.parentSpanId && !parentOf.has(e.spanId)) parentOf.set(e.spanId, e.parentSpanId);
  }
  const roots = [...spans].filter((s) => {
    const p = parentOf.get(s);
    return !p || !spans.has(p);
  });
  return roots
    .map((r) => summarizeTree(events, r))
    .sort((a, b) => a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : 1));
}

export function summarizeTree(events: readonly TraceEvent[], rootSpanId: string): RootSpanSummary {
  const tree = spanTree(events, rootSpanId);
  const treeEvents = events.filter((e) => tree.has(e.spanId));
  const drafts = buildArrowDrafts(treeEvents);
  let start = Infinity;
  let end = -Infinity;
  for (const e of treeEvents) {
    start = Math.min(start, e.timeUnixMs);
    end = Math.max(end, e.timeUnixMs);
  }
  const rootArrows = drafts.filter((d) => d.spanId === rootSpanId);
  const first = rootArrows[0] ?? drafts[0];
  const responseMs = rootArrows
    .filter((d) => d.kind === "reply" || d.kind === "stream")
    .map((d) => d.latencyMs)
    .find((x): x is number => x !== undefined);
  return {
    spanId: rootSpanId,
    mode: first?.mode ?? Mode.UNSPECIFIED,
    label: first?.label ?? rootSpanId,
    startMs: Number.isFinite(start) ? start : 0,
    responseMs,
    totalMs: Number.isFinite(end - start) ? end - start : 0,
    bytes: drafts.reduce((s, d) => s + (d.bytes ?? 0), 0),
    eventCount: treeEvents.length,
  };
}
