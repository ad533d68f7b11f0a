import type { DescField } from "@bufbuild/protobuf";
import { ByteCountsSchema, EventKind, Mode, MqttInfoSchema, TraceEventSchema } from "../../lib/gen/lab/v1/trace_pb";
import { SPAN_ID_PREFIX, spanIdOf } from "../../lib/trace";
import { LabTopicReader, sessionPrefix } from "../../lib/topics";
import { fieldTag, ProtoWriter } from "../trace/trace-codec";
import { PACKET_TYPE_NAMES, PacketType, PublishLayout, readPacketId, readPublishLayout } from "./packet-framer";
import { BROKER } from "./participants";

/*
 * The light TraceEvent (see trace-hub's `lighten`) of an MQTT PUBLISH or
 * of one of its acks, most of what a busy MQTT trace is made of, written
 * straight from the packet's bytes. The schema-driven encoder (trace-codec)
 * walks an object that `build(true)` makes for every event; here the
 * topic is copied from the packet into the topic and summary fields, what
 * a connection's side has in common (from, to, mode, kind, observer,
 * client id) and the session, type and message type fields are encoded
 * once and copied, every length is counted first, and the event is written
 * in one pass with no object or string made on the way. Field tags come
 * from the schema. The bytes are the encoder's for `build(true)` (a test
 * compares them, and with protobuf-es).
 */

/**
 * A span as the MQTT observer keeps it: a number for a span made here (its
 * id, spanIdOf(n), is written only when the event is read), a string for
 * one named elsewhere (a cause, a correlation id; "" for none), or
 * IN_TOPIC for the correlation id in the event's own PUBLISH topic. Most
 * events then hold no string of their own for the collector to copy while
 * they wait in the session's buffer.
 */
export type SpanRef = number | string;
export const IN_TOPIC = -1;

/** A field's tag, which the writer below writes as one byte. */
function shortTag(f: DescField): number {
  const tag = fieldTag(f);
  if (tag >= 0x80) throw new Error(`${f.name}'s tag is longer than a byte`);
  return tag;
}

const EV = TraceEventSchema.field;
const MQ = MqttInfoSchema.field;
const TAG = {
  seq: shortTag(EV.seq),
  session: shortTag(EV.session),
  timeUnixMs: shortTag(EV.timeUnixMs),
  spanId: shortTag(EV.spanId),
  parentSpanId: shortTag(EV.parentSpanId),
  from: shortTag(EV.from),
  to: shortTag(EV.to),
  mode: shortTag(EV.mode),
  kind: shortTag(EV.kind),
  observer: shortTag(EV.observer),
  bytes: shortTag(EV.bytes),
  header: shortTag(ByteCountsSchema.field.header),
  body: shortTag(ByteCountsSchema.field.body),
  mqtt: shortTag(EV.mqtt),
  packetType: shortTag(MQ.packetType),
  topic: shortTag(MQ.topic),
  qos: shortTag(MQ.qos),
  dup: shortTag(MQ.dup),
  retain: shortTag(MQ.retain),
  packetId: shortTag(MQ.packetId),
  clientId: shortTag(MQ.clientId),
  messageType: shortTag(MQ.messageType),
  summary: fieldTag(EV.summary),
};

/** A string field (tag, length, UTF-8), encoded once; empty for "" (proto3 leaves it out). */
function stringField(tag: number, s: string): Buffer {
  if (s === "") return Buffer.alloc(0);
  const w = new ProtoWriter(s.length * 3 + 8);
  w.string(s, tag);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** One direction of a connection as its events show it: who sends, who receives, and how its packets read. */
export class Side {
  readonly from: string;
  readonly to: string;
  /** Its light events' from, to, mode, kind and observer fields, then its MqttInfo client id field, encoded once. */
  private fields: { head: Buffer; clientId: Buffer } | undefined;

  constructor(
    readonly toBroker: boolean,
    readonly participant: string,
    readonly clientId: string,
    /** Protocol Level from the CONNECT (§3.1.2.2): 4 for 3.1.1, 5 for MQTT 5. */
    readonly protocolLevel: number,
  ) {
    this.from = toBroker ? participant : BROKER;
    this.to = toBroker ? BROKER : participant;
  }

  encoded(): { head: Buffer; clientId: Buffer } {
    if (this.fields) return this.fields;
    const w = new ProtoWriter(64);
    w.string(this.from, TAG.from);
    w.string(this.to, TAG.to);
    w.varintField(TAG.mode, Mode.MQTT);
    w.varintField(TAG.kind, EventKind.MQTT_PACKET);
    w.string(BROKER, TAG.observer);
    this.fields = { head: Buffer.from(w.buf.subarray(0, w.pos)), clientId: stringField(TAG.clientId, this.clientId) };
    return this.fields;
  }
}

/** Each packet type's packet_type field, by type number. */
const TYPE_FIELDS = PACKET_TYPE_NAMES.map((name) => stringField(TAG.packetType, name));

/** Message type fields, by name: there are a few (a request and a response type per method). */
const messageTypeFields = new Map<string, Buffer>();

function messageTypeField(type: string): Buffer {
  let f = messageTypeFields.get(type);
  if (f === undefined) {
    f = stringField(TAG.messageType, type);
    // Method names in topics are whatever a client publishes: only the first thousand are kept.
    if (messageTypeFields.size < 1024) messageTypeFields.set(type, f);
  }
  return f;
}

/**
 * The last session's field and topic prefix (events come in runs from one
 * session). The prefix as bytes: as a string it was made by a template, a
 * cons string, whose charCodeAt cost ~30 ns a character in the compare.
 */
let lastSession: { name: string; field: Buffer; prefix: Buffer } = { name: "", field: Buffer.alloc(0), prefix: Buffer.alloc(0) };

function sessionOf(session: string): { name: string; field: Buffer; prefix: Buffer } {
  if (session !== lastSession.name) lastSession = { name: session, field: stringField(TAG.session, session), prefix: Buffer.from(sessionPrefix(session)) };
  return lastSession;
}

const PUBLISH_SPACE = Buffer.from("PUBLISH ");
const SPAN_PREFIX = Buffer.from(SPAN_ID_PREFIX);
const BASE36 = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");

/** Bytes of a non-negative safe integer as a protobuf varint. */
function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  let n = 4;
  for (v = Math.floor(v / 0x10000000); v > 0; n++) v = Math.floor(v / 0x80);
  return n;
}

/** Writes a varint of a non-negative safe integer at `pos`; returns the position after it. */
function putVarint(buf: Buffer, pos: number, v: number): number {
  while (v > 0x7fffffff) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Copies `src[from, to)` to `pos`; returns the position after it. Byte by
 * byte: for part of `src`, set() needs a view, and a view and set() cost
 * more than this loop below ~50 bytes (Node 20: 8 bytes 33 against 135 ns,
 * 50 bytes 150 against 100–150 ns).
 */
function put(buf: Buffer, pos: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) buf[pos++] = src[i];
  return pos;
}

/** Copies all of `src` to `pos`; returns the position after it. A whole array needs no view: set() is ~25 ns at any length, the loop ~3 ns a byte. */
function putAll(buf: Buffer, pos: number, src: Uint8Array): number {
  buf.set(src, pos);
  return pos + src.length;
}

/** Base-36 digits of a span number (after the process's prefix). */
function digits36(n: number): number {
  let d = 1;
  for (; n >= 36; d++) n = Math.floor(n / 36);
  return d;
}

/** Reads a topic again when an event is built (the capture's reader is busy with the next packet). */
const builtTopic = new LabTopicReader();

/** A span's id as the event carries it; `topic` is the event's PUBLISH topic (for IN_TOPIC). */
export function spanText(ref: SpanRef, topic: string): string {
  if (typeof ref === "string") return ref;
  if (ref !== IN_TOPIC) return spanIdOf(ref);
  builtTopic.read(topic);
  return builtTopic.rest(3);
}

/** Where a span's id lies when it is written: its length, and for IN_TOPIC its start in the packet (planned, then `put`). */
class SpanPlan {
  length = 0;
  from = 0;
  /** For a string: its UTF-8 bytes when they are not its characters. */
  utf8: Buffer | undefined;

  /** Plans the id of `ref`; its field's size, 0 for no id. */
  plan(ref: SpanRef, raw: Uint8Array, topicAt: number, topicEnd: number): number {
    this.utf8 = undefined;
    if (typeof ref === "string") {
      if (ref === "") return 0;
      let ascii = true;
      for (let i = 0; i < ref.length && ascii; i++) ascii = ref.charCodeAt(i) < 0x80;
      if (!ascii) this.utf8 = Buffer.from(ref);
      this.length = this.utf8?.length ?? ref.length;
    } else if (ref === IN_TOPIC) {
      // The correlation id: rest level 3 of lab/<session>/rpc|reply/<service>/<method>/<id>, after the fifth "/"
      // (a "/" byte is never part of a longer UTF-8 character).
      let slashes = 0;
      let to = topicEnd;
      this.from = topicEnd;
      for (let i = topicAt; i < topicEnd; i++) {
        if (raw[i] !== 0x2f) continue;
        if (++slashes === 5) this.from = i + 1;
        else if (slashes === 6) {
          to = i;
          break;
        }
      }
      this.length = to - this.from;
    } else {
      this.length = SPAN_PREFIX.length + digits36(ref);
    }
    return 1 + varintSize(this.length) + this.length;
  }

  /** Writes the planned field at `pos`; returns the position after it. */
  put(buf: Buffer, pos: number, tag: number, ref: SpanRef, raw: Uint8Array): number {
    if (ref === "") return pos;
    buf[pos++] = tag;
    pos = putVarint(buf, pos, this.length);
    if (typeof ref === "string") {
      if (this.utf8) return put(buf, pos, this.utf8, 0, this.utf8.length);
      for (let i = 0; i < ref.length; i++) buf[pos++] = ref.charCodeAt(i);
      return pos;
    }
    if (ref === IN_TOPIC) return put(buf, pos, raw, this.from, this.from + this.length);
    pos = put(buf, pos, SPAN_PREFIX, 0, SPAN_PREFIX.length);
    const end = pos + this.length - SPAN_PREFIX.length;
    for (let i = end - 1, v = ref; i >= pos; i--, v = Math.floor(v / 36)) buf[i] = BASE36[v % 36];
    return end;
  }
}

const span = new SpanPlan();
const parent = new SpanPlan();
const layout = new PublishLayout();

/** What an MQTT event holds (see packet-observer's MqttPacketEvent). */
export interface MqttEventParts {
  seq: number;
  session: string;
  /** The packet's bytes, `size` of them at `at` in `chunk`, after 8 bytes of the event's time (a double as protobuf writes it). */
  chunk: Buffer;
  at: number;
  size: number;
  side: Side;
  spanId: SpanRef;
  parentSpanId: SpanRef;
  messageType: string;
}

/**
 * Writes the light event of a PUBLISH, PUBACK, PUBREC, PUBREL or PUBCOMP
 * as a length-delimited TraceEvent; false, having written nothing, for any
 * other packet.
 *
 * A topic is copied as its bytes: topic names are well-formed UTF-8 (MQTT
 * 3.1.1 §1.5.3, §4.7.3), as protobuf strings are. (One that is not, which
 * the spec forbids, goes as it came, where build() would have replaced
 * its bad bytes with U+FFFD; a page's decoder then does.)
 */
export function writeLightMqttEvent(w: ProtoWriter, e: MqttEventParts): boolean {
  const raw = e.chunk;
  const start = e.at;
  const first = raw[start];
  const type = first >> 4;
  if (type < PacketType.PUBLISH || type > PacketType.PUBCOMP) return false;
  const publish = type === PacketType.PUBLISH;
  const side = e.side.encoded();
  const session = sessionOf(e.session);
  const messageType = e.messageType === "" ? undefined : messageTypeField(e.messageType);

  // What goes where, and every length, first.
  let topicAt = 0;
  let topicEnd = 0;
  let packetId = 0;
  let body = 0;
  let qos = 0;
  let summaryFrom = 0;
  if (publish) {
    const l = readPublishLayout(raw, start, e.side.protocolLevel, layout);
    topicAt = l.topicAt;
    topicEnd = topicAt + l.topicLength;
    packetId = l.packetId;
    body = start + e.size - l.payloadAt;
    qos = (first >> 1) & 3;
    summaryFrom = topicAt + prefixBytes(raw, topicAt, topicEnd, session.prefix);
  } else {
    packetId = readPacketId(raw, start, start + e.size);
  }
  const header = e.size - body;
  const bytesLength = 1 + varintSize(header) + (body !== 0 ? 1 + varintSize(body) : 0);
  const typeField = TYPE_FIELDS[type];
  const topicLength = topicEnd - topicAt;
  const mqttLength =
    typeField.length +
    (topicLength !== 0 ? 1 + varintSize(topicLength) + topicLength : 0) +
    (qos !== 0 ? 2 : 0) +
    (publish && first & 0x08 ? 2 : 0) +
    (publish && first & 0x01 ? 2 : 0) +
    (packetId !== 0 ? 1 + varintSize(packetId) : 0) +
    side.clientId.length +
    (messageType?.length ?? 0);
  // An ack's summary is its type and packet id ("PUBACK #42"), in ASCII.
  const ackName = PACKET_TYPE_NAMES[type];
  const idDigits = packetId < 10 ? 1 : packetId < 100 ? 2 : packetId < 1000 ? 3 : packetId < 10000 ? 4 : 5;
  const summaryLength = publish ? PUBLISH_SPACE.length + topicEnd - summaryFrom : ackName.length + 2 + idDigits;
  const length =
    (e.seq !== 0 ? 1 + varintSize(e.seq) : 0) +
    session.field.length +
    9 +
    span.plan(e.spanId, raw, topicAt, topicEnd) +
    parent.plan(e.parentSpanId, raw, topicAt, topicEnd) +
    side.head.length +
    (1 + 1 + bytesLength) +
    (1 + varintSize(mqttLength) + mqttLength) +
    (varintSize(TAG.summary) + varintSize(summaryLength) + summaryLength);

  // Then the event, in field-number order.
  w.ensure(varintSize(length) + length);
  const buf = w.buf;
  let pos = putVarint(buf, w.pos, length);
  if (e.seq !== 0) {
    buf[pos++] = TAG.seq;
    pos = putVarint(buf, pos, e.seq);
  }
  pos = putAll(buf, pos, session.field);
  // The time: the 8 bytes kept before the packet are the double as protobuf writes it.
  buf[pos++] = TAG.timeUnixMs;
  pos = put(buf, pos, raw, start - 8, start);
  pos = span.put(buf, pos, TAG.spanId, e.spanId, raw);
  pos = parent.put(buf, pos, TAG.parentSpanId, e.parentSpanId, raw);
  pos = putAll(buf, pos, side.head);
  buf[pos++] = TAG.bytes;
  buf[pos++] = bytesLength;
  buf[pos++] = TAG.header;
  pos = putVarint(buf, pos, header);
  if (body !== 0) {
    buf[pos++] = TAG.body;
    pos = putVarint(buf, pos, body);
  }
  buf[pos++] = TAG.mqtt;
  pos = putVarint(buf, pos, mqttLength);
  pos = putAll(buf, pos, typeField);
  if (topicLength !== 0) {
    buf[pos++] = TAG.topic;
    pos = putVarint(buf, pos, topicLength);
    pos = put(buf, pos, raw, topicAt, topicEnd);
  }
  if (qos !== 0) {
    buf[pos++] = TAG.qos;
    buf[pos++] = qos;
  }
  // DUP and RETAIN are PUBLISH flags (§3.3.1.1, §3.3.1.3).
  if (publish && first & 0x08) {
    buf[pos++] = TAG.dup;
    buf[pos++] = 1;
  }
  if (publish && first & 0x01) {
    buf[pos++] = TAG.retain;
    buf[pos++] = 1;
  }
  if (packetId !== 0) {
    buf[pos++] = TAG.packetId;
    pos = putVarint(buf, pos, packetId);
  }
  pos = putAll(buf, pos, side.clientId);
  if (messageType) pos = putAll(buf, pos, messageType);
  pos = putVarint(buf, pos, TAG.summary);
  pos = putVarint(buf, pos, summaryLength);
  if (publish) {
    pos = put(buf, pos, PUBLISH_SPACE, 0, PUBLISH_SPACE.length);
    pos = put(buf, pos, raw, summaryFrom, topicEnd);
  } else {
    for (let i = 0; i < ackName.length; i++) buf[pos++] = ackName.charCodeAt(i);
    buf[pos++] = 0x20; // " #"
    buf[pos++] = 0x23;
    // The Packet Identifier in decimal (a 16-bit number, §2.3.1).
    for (let i = pos + idDigits - 1, v = packetId; i >= pos; i--, v = (v / 10) | 0) buf[i] = 0x30 + (v % 10);
    pos += idDigits;
  }
  w.pos = pos;
  return true;
}

/** How many bytes at `from` in `raw` are `prefix` (a session's `lab/<session>/`, which the summary leaves out); 0 when they are not. */
function prefixBytes(raw: Uint8Array, from: number, to: number, prefix: Uint8Array): number {
  if (to - from < prefix.length) return 0;
  for (let i = 0; i < prefix.length; i++) if (raw[from + i] !== prefix[i]) return 0;
  return prefix.length;
}
