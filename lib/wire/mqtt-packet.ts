/**
 * Decoding of MQTT 3.1.1 control packets, byte by byte.
 *
 * Spec: MQTT Version 3.1.1, OASIS Standard, 29 October 2014
 * (docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html). Section
 * numbers (§) below refer to it.
 *
 *   §2.2   fixed header: byte 1 = packet type (bits 7-4) + flags (bits 3-0),
 *          then the Remaining Length (§2.2.3, 1–4 byte varint)
 *   §2.3   variable header (Packet Identifier §2.3.1, …)
 *   §3.x   the variable header and payload of each packet type
 *
 * MQTT 5 (OASIS, 7 March 2019) is accepted without crashing: a CONNECT with
 * protocol level 5 has its property sections skipped and reported as
 * "MQTT 5 properties not decoded"; pass `protocolLevel: 5` to do the same
 * for the other packets of an MQTT 5 connection.
 */

import { decodeUtf8Lenient, decodeUtf8Strict, printableRatio, toHex } from "./text";
import { toWireError, WireDecodeFailure, type WireError } from "./types";

/** Names of the control packet types, indexed by type number (§2.2.1, Table 2.1; 15 is AUTH in MQTT 5). */
export const MQTT_PACKET_TYPE_NAMES: readonly string[] = [
  "Reserved",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
];

/** CONNACK return codes (§3.2.2.3, Table 3.1). 6–255 are reserved. */
export const CONNACK_RETURN_CODES: Readonly<Record<number, string>> = {
  0: "Connection Accepted",
  1: "Connection Refused, unacceptable protocol version",
  2: "Connection Refused, identifier rejected",
  3: "Connection Refused, Server unavailable",
  4: "Connection Refused, bad user name or password",
  5: "Connection Refused, not authorized",
};

/** SUBACK return codes (§3.9.3). Others are reserved. */
export const SUBACK_RETURN_CODES: Readonly<Record<number, string>> = {
  0x00: "Success - Maximum QoS 0",
  0x01: "Success - Maximum QoS 1",
  0x02: "Success - Maximum QoS 2",
  0x80: "Failure",
};

/** Which part of the packet a field belongs to (§2: fixed header, variable header, payload). */
export type MqttSection = "fixed-header" | "variable-header" | "payload";

/** One named field of a packet. */
export interface MqttField {
  /** Name as the spec calls it: "Remaining Length", "Topic Name", "Packet Identifier", … */
  name: string;
  section: MqttSection;
  /** Offset of the field's first byte (including a length prefix). */
  offset: number;
  /** Bytes of the field (including a length prefix). Flags sharing a byte each report that byte. */
  length: number;
  /**
   * The value: a number, boolean or string; bytes for binary data (PUBLISH
   * payload, Will Message); `null` for a password, which is never shown.
   */
  value: number | boolean | string | Uint8Array | null;
  /** A short rendering for tables. */
  display: string;
  /** For flags packed in one byte: which bits, e.g. "7-4", "3", "2-1". */
  bits?: string;
  /** For UTF-8 strings (§1.5.3) and binary data: the 2-byte length prefix is part of the field. */
  lengthPrefixBytes?: number;
  /** The bytes are a secret (the CONNECT password): do not show them. */
  sensitive?: boolean;
  /** Where the spec defines the field, e.g. "§3.1.2.3". */
  spec?: string;
  /** Anything worth pointing out about this field. */
  note?: string;
}

/** A requested subscription of a SUBSCRIBE packet (§3.8.3). */
export interface MqttSubscription {
  topicFilter: string;
  /** Requested QoS (bits 1-0 of the options byte). */
  qos: number;
}

/** A decoded control packet. */
export interface MqttPacket {
  /** Offset of the packet's first byte. */
  offset: number;
  /** Control packet type, 0–15 (§2.2.1). */
  type: number;
  /** "CONNECT", "PUBLISH", … */
  typeName: string;
  /** Low nibble of byte 1 (§2.2.2). */
  flags: number;
  /** PUBLISH: DUP flag (§3.3.1.1). */
  dup?: boolean;
  /** PUBLISH: QoS level (§3.3.1.2). */
  qos?: number;
  /** PUBLISH: RETAIN flag (§3.3.1.3). */
  retain?: boolean;
  /** Remaining Length (§2.2.3): bytes after the fixed header. */
  remainingLength: number;
  /** Byte 1 + the Remaining Length bytes: 2 to 5. */
  fixedHeaderBytes: number;
  /** Variable header size, from the packet's own lengths. */
  variableHeaderBytes: number;
  /** Payload size (§3.x.3 of each type; 0 for types without a payload). */
  payloadBytes: number;
  /** Fixed + variable header: what the lab counts as MQTT "header" bytes. */
  headerBytes: number;
  /** Fixed header + Remaining Length: the packet's size on the wire. */
  totalBytes: number;
  /** Packet Identifier (§2.3.1), for the types that have one. */
  packetId?: number;
  /** PUBLISH: Topic Name. */
  topic?: string;
  /** PUBLISH: Application Message. */
  payload?: Uint8Array;
  /** CONNECT: Protocol Level (4 = 3.1.1, 3 = 3.1, 5 = MQTT 5). */
  protocolLevel?: number;
  /** CONNECT: Client Identifier. */
  clientId?: string;
  /** CONNECT: Keep Alive in seconds. */
  keepAlive?: number;
  /** CONNACK: Session Present (§3.2.2.2). */
  sessionPresent?: boolean;
  /** CONNACK: Connect Return code (§3.2.2.3). */
  returnCode?: number;
  /** CONNACK: what the return code means. */
  returnCodeMeaning?: string;
  /** SUBSCRIBE: topic filters with requested QoS. */
  subscriptions?: MqttSubscription[];
  /** SUBACK: return codes, one per subscription (0x80 = failure). */
  returnCodes?: number[];
  /** UNSUBSCRIBE: topic filters. */
  unsubscriptions?: string[];
  /** Fields in wire order. */
  fields: MqttField[];
  /** Protocol violations that did not stop decoding (e.g. reserved flag bits set). */
  warnings: string[];
  /** One line for a diagram: "PUBLISH lab/x/y QoS 1 #12". */
  summary: string;
  /** Why decoding stopped; fields before it are kept. */
  error?: WireError;
  /** Bytes in the input after this packet (the next packet of a stream). */
  trailingBytes: number;
}

/** Options of {@link decodeMqttPacket}. */
export interface DecodeMqttOptions {
  /** Added to every reported offset. Default 0. */
  baseOffset?: number;
  /**
   * Protocol level of the connection (from its CONNECT): 4 for MQTT 3.1.1
   * (default), 5 for MQTT 5 to skip the property sections of non-CONNECT
   * packets. A CONNECT always uses its own level.
   */
  protocolLevel?: number;
}

/**
 * Decodes one MQTT control packet from the start of `bytes`.
 *
 * Never throws: a truncated or malformed packet yields `error` (offset and
 * reason) with the fields decoded before it.
 */
export function decodeMqttPacket(bytes: Uint8Array, options: DecodeMqttOptions = {}): MqttPacket {
  const base = options.baseOffset ?? 0;
  const packet: MqttPacket = {
    offset: base,
    type: 0,
    typeName: "Reserved",
    flags: 0,
    remainingLength: 0,
    fixedHeaderBytes: 0,
    variableHeaderBytes: 0,
    payloadBytes: 0,
    headerBytes: 0,
    totalBytes: 0,
    fields: [],
    warnings: [],
    summary: "",
    trailingBytes: 0,
  };
  const cur = new Cursor(bytes, base);
  let payloadStart: number | undefined;
  try {
    if (bytes.length === 0) throw new WireDecodeFailure(base, "no bytes: an MQTT packet has at least 2 (§2.2)");
    decodeFixedHeader(cur, packet);
    const v5 = (options.protocolLevel ?? 4) >= 5;
    payloadStart = decodeBody(cur, packet, v5);
    if (cur.pos < cur.packetEnd) {
      const extra = cur.packetEnd - cur.pos;
      packet.fields.push({
        name: "Unexpected bytes",
        section: payloadStart !== undefined && cur.pos >= payloadStart ? "payload" : "variable-header",
        offset: base + cur.pos,
        length: extra,
        value: bytes.subarray(cur.pos, Math.min(cur.packetEnd, bytes.length)),
        display: `${extra} byte${extra === 1 ? "" : "s"} not decoded`,
        note: "not part of this MQTT 3.1.1 packet (MQTT 5 reason code or properties?)",
      });
      packet.warnings.push(`${extra} byte${extra === 1 ? "" : "s"} after the last field of ${packet.typeName} were not decoded`);
      cur.pos = cur.packetEnd;
    }
  } catch (e) {
    packet.error = toWireError(e, base + cur.pos);
  }
  if (packet.fixedHeaderBytes > 0) {
    const end = packet.fixedHeaderBytes + packet.remainingLength;
    const ps = payloadStart ?? end;
    packet.variableHeaderBytes = ps - packet.fixedHeaderBytes;
    packet.payloadBytes = end - ps;
    packet.headerBytes = packet.fixedHeaderBytes + packet.variableHeaderBytes;
    packet.totalBytes = end;
    packet.trailingBytes = Math.max(0, bytes.length - end);
    if (!packet.error && end > bytes.length) {
      packet.error = {
        offset: base + bytes.length,
        reason: `truncated: the packet is ${end} bytes (Remaining Length ${packet.remainingLength}) but only ${bytes.length} are present`,
      };
    }
  }
  packet.summary = summarize(packet);
  return packet;
}

/** Result of {@link decodeMqttPackets}. */
export interface MqttPacketStream {
  packets: MqttPacket[];
  /** Why splitting stopped (the error of the last packet). */
  error?: WireError;
}

/**
 * Decodes consecutive packets, as they follow each other on a TCP stream or
 * in a capture. A CONNECT of level 5 switches the following packets to
 * MQTT 5 handling.
 */
export function decodeMqttPackets(bytes: Uint8Array, options: DecodeMqttOptions = {}): MqttPacketStream {
  const base = options.baseOffset ?? 0;
  let level = options.protocolLevel ?? 4;
  const packets: MqttPacket[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const p = decodeMqttPacket(bytes.subarray(pos), { baseOffset: base + pos, protocolLevel: level });
    packets.push(p);
    if (p.protocolLevel !== undefined) level = p.protocolLevel;
    if (p.error) return { packets, error: p.error };
    if (p.totalBytes <= 0) break;
    pos += p.totalBytes;
  }
  return { packets };
}

/**
 * Encodes a Remaining Length (§2.2.3): 7 bits per byte, least significant
 * first, MSB = continuation; at most 4 bytes (268,435,455).
 */
export function encodeRemainingLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 268_435_455) throw new RangeError(`Remaining Length out of range: ${n}`);
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------
// Internals

class Cursor {
  readonly buf: Uint8Array;
  readonly base: number;
  pos = 0;
  /** End of the packet as declared by the Remaining Length (may exceed buf.length). */
  packetEnd: number;

  constructor(buf: Uint8Array, base: number) {
    this.buf = buf;
    this.base = base;
    this.packetEnd = buf.length;
  }

  get remaining(): number {
    return this.packetEnd - this.pos;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.packetEnd) {
      throw new WireDecodeFailure(
        this.base + this.pos,
        `malformed: ${what} needs ${n} byte${n === 1 ? "" : "s"} but the Remaining Length leaves ${Math.max(0, this.packetEnd - this.pos)}`,
      );
    }
    if (this.pos + n > this.buf.length) {
      throw new WireDecodeFailure(
        this.base + this.pos,
        `truncated: ${what} needs ${n} byte${n === 1 ? "" : "s"} but the data ends after ${this.buf.length - this.pos}`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    // Two-byte integers are big-endian (§1.5.2).
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Variable Byte Integer: the Remaining Length encoding (§2.2.3); MQTT 5 reuses it for property lengths. */
  varint(what: string, limit: number): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= limit) {
        throw new WireDecodeFailure(this.base + this.pos, `truncated: ${what} continues past the end of the data`);
      }
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw new WireDecodeFailure(this.base + this.pos - 4, `malformed: ${what} is longer than 4 bytes (§2.2.3)`);
  }
}

function typeOf(n: number): string {
  return MQTT_PACKET_TYPE_NAMES[n] ?? `type ${n}`;
}

function decodeFixedHeader(cur: Cursor, p: MqttPacket): void {
  const base = cur.base;
  const b0 = cur.u8("fixed header byte 1");
  p.type = b0 >> 4;
  p.typeName = typeOf(p.type);
  p.flags = b0 & 0x0f;
  p.fields.push({
    name: "Packet Type",
    section: "fixed-header",
    offset: base,
    length: 1,
    bits: "7-4",
    value: p.type,
    display: `${p.typeName} (${p.type})`,
    spec: "§2.2.1",
  });
  if (p.type === 3) {
    p.dup = (p.flags & 0x08) !== 0;
    p.qos = (p.flags >> 1) & 0x03;
    p.retain = (p.flags & 0x01) !== 0;
    p.fields.push(
      { name: "DUP", section: "fixed-header", offset: base, length: 1, bits: "3", value: p.dup, display: p.dup ? "1 (re-delivery)" : "0 (first attempt)", spec: "§3.3.1.1" },
      { name: "QoS", section: "fixed-header", offset: base, length: 1, bits: "2-1", value: p.qos, display: qosLabel(p.qos), spec: "§3.3.1.2" },
      { name: "RETAIN", section: "fixed-header", offset: base, length: 1, bits: "0", value: p.retain, display: p.retain ? "1 (retain)" : "0", spec: "§3.3.1.3" },
    );
  } else {
    // Table 2.2: PUBREL, SUBSCRIBE and UNSUBSCRIBE carry 0010, the others 0000.
    const expected = p.type === 6 || p.type === 8 || p.type === 10 ? 0b0010 : 0b0000;
    const field: MqttField = {
      name: "Flags",
      section: "fixed-header",
      offset: base,
      length: 1,
      bits: "3-0",
      value: p.flags,
      display: p.flags.toString(2).padStart(4, "0"),
      spec: "§2.2.2",
    };
    if (p.type !== 0 && p.type !== 15 && p.flags !== expected) {
      field.note = `reserved: must be ${expected.toString(2).padStart(4, "0")}`;
      p.warnings.push(`${p.typeName} flags are ${field.display}, must be ${expected.toString(2).padStart(4, "0")} (§2.2.2): a receiver closes the connection`);
    }
    p.fields.push(field);
  }
  const rlStart = cur.pos;
  const remaining = cur.varint("Remaining Length", cur.buf.length);
  p.remainingLength = remaining;
  p.fixedHeaderBytes = cur.pos;
  cur.packetEnd = cur.pos + remaining;
  p.fields.push({
    name: "Remaining Length",
    section: "fixed-header",
    offset: base + rlStart,
    length: cur.pos - rlStart,
    value: remaining,
    display: `${remaining} byte${remaining === 1 ? "" : "s"} follow`,
    spec: "§2.2.3",
  });
  if (p.type === 0) throw new WireDecodeFailure(base, "packet type 0 is reserved (§2.2.1)");
  if (p.type === 3 && p.qos === 3) {
    throw new WireDecodeFailure(base, "malformed: PUBLISH with both QoS bits set (QoS 3 does not exist, §3.3.1.2)");
  }
}

function qosLabel(qos: number): string {
  return ["0 (at most once)", "1 (at least once)", "2 (exactly once)"][qos] ?? `${qos} (invalid)`;
}

/** Decodes the variable header and payload; returns where the payload starts. */
function decodeBody(cur: Cursor, p: MqttPacket, v5: boolean): number {
  switch (p.type) {
    case 1:
      return decodeConnect(cur, p);
    case 2:
      return decodeConnack(cur, p, v5);
    case 3:
      return decodePublish(cur, p, v5);
    case 4:
    case 5:
    case 6:
    case 7:
    case 11: {
      // PUBACK §3.4, PUBREC §3.5, PUBREL §3.6, PUBCOMP §3.7, UNSUBACK §3.11:
      // variable header = Packet Identifier, no payload.
      packetIdField(cur, p, SPEC_OF[p.type]);
      if (v5 && p.type === 11) {
        // MQTT 5 UNSUBACK: Properties, then one Reason Code per topic filter as payload.
        v5Properties(cur, p, "variable-header");
        const payloadStart = cur.pos;
        while (cur.remaining > 0) v5ReasonCode(cur, p, "payload");
        return payloadStart;
      }
      if (v5 && cur.remaining > 0) v5Tail(cur, p, true);
      return cur.packetEnd;
    }
    case 8:
      return decodeSubscribe(cur, p, v5);
    case 9:
      return decodeSuback(cur, p, v5);
    case 10:
      return decodeUnsubscribe(cur, p, v5);
    case 12:
    case 13:
    case 14:
      // PINGREQ §3.12, PINGRESP §3.13, DISCONNECT §3.14: no variable header, no payload.
      if (v5 && p.type === 14 && cur.remaining > 0) v5Tail(cur, p, true);
      return cur.packetEnd;
    case 15:
      p.warnings.push("AUTH exists only in MQTT 5 (type 15 is reserved in 3.1.1): not decoded");
      if (cur.remaining > 0) {
        const start = cur.pos;
        const n = Math.min(cur.remaining, cur.buf.length - cur.pos);
        cur.pos += n;
        p.fields.push({
          name: "AUTH body",
          section: "variable-header",
          offset: cur.base + start,
          length: n,
          value: cur.buf.subarray(start, start + n),
          display: `${n} bytes, MQTT 5 properties not decoded`,
        });
      }
      return cur.packetEnd;
  }
  return cur.packetEnd;
}

const SPEC_OF: Record<number, string> = {
  4: "§3.4.2",
  5: "§3.5.2",
  6: "§3.6.2",
  7: "§3.7.2",
  8: "§3.8.2",
  9: "§3.9.2",
  10: "§3.10.2",
  11: "§3.11.2",
};

function packetIdField(cur: Cursor, p: MqttPacket, spec: string): void {
  const start = cur.pos;
  const id = cur.u16("Packet Identifier");
  p.packetId = id;
  const field: MqttField = {
    name: "Packet Identifier",
    section: "variable-header",
    offset: cur.base + start,
    length: 2,
    value: id,
    display: `#${id}`,
    spec,
  };
  if (id === 0) {
    field.note = "must be non-zero (§2.3.1)";
    p.warnings.push("Packet Identifier 0 is not allowed (§2.3.1)");
  }
  p.fields.push(field);
}

/** A UTF-8 encoded string: 2-byte length + UTF-8 (§1.5.3). */
function stringField(cur: Cursor, p: MqttPacket, name: string, section: MqttSection, spec: string): string {
  const start = cur.pos;
  const n = cur.u16(`length of ${name}`);
  const raw = cur.bytes(n, name);
  const strict = decodeUtf8Strict(raw);
  const text = strict ?? decodeUtf8Lenient(raw);
  const field: MqttField = {
    name,
    section,
    offset: cur.base + start,
    length: 2 + n,
    value: text,
    display: JSON.stringify(text),
    lengthPrefixBytes: 2,
    spec,
  };
  if (strict === undefined) {
    field.note = "not well-formed UTF-8 (§1.5.3)";
    p.warnings.push(`${name} is not well-formed UTF-8 (§1.5.3)`);
  } else if (text.includes("\u0000")) {
    field.note = "contains U+0000, not allowed (§1.5.3)";
    p.warnings.push(`${name} contains U+0000 (§1.5.3)`);
  }
  p.fields.push(field);
  return text;
}

/** Binary data: 2-byte length + bytes (Will Message §3.1.3.3, Password §3.1.3.5). */
function binaryField(cur: Cursor, p: MqttPacket, name: string, spec: string, sensitive: boolean): Uint8Array {
  const start = cur.pos;
  const n = cur.u16(`length of ${name}`);
  const raw = cur.bytes(n, name);
  const field: MqttField = {
    name,
    section: "payload",
    offset: cur.base + start,
    length: 2 + n,
    value: sensitive ? null : raw,
    display: sensitive ? `present (${n} byte${n === 1 ? "" : "s"}, not shown)` : displayPayload(raw),
    lengthPrefixBytes: 2,
    spec,
  };
  if (sensitive) field.sensitive = true;
  p.fields.push(field);
  return raw;
}

function displayPayload(raw: Uint8Array): string {
  if (raw.length === 0) return "(empty)";
  const text = decodeUtf8Strict(raw);
  if (text !== undefined && printableRatio(text) >= 0.9) {
    return text.length > 200 ? `${JSON.stringify(text.slice(0, 200))}…` : JSON.stringify(text);
  }
  return `${raw.length} bytes: ${toHex(raw, " ", 32)}`;
}

/** MQTT 5 Properties: Variable Byte Integer length + properties (MQTT 5 §2.2.2), skipped. */
function v5Properties(cur: Cursor, p: MqttPacket, section: MqttSection, name = "Properties"): void {
  const start = cur.pos;
  const len = cur.varint(`${name} length`, Math.min(cur.packetEnd, cur.buf.length));
  cur.bytes(len, name);
  p.fields.push({
    name,
    section,
    offset: cur.base + start,
    length: cur.pos - start,
    value: len,
    display: `${len} byte${len === 1 ? "" : "s"}: MQTT 5 properties not decoded`,
    note: "MQTT 5 properties not decoded",
  });
}

/** MQTT 5: optional Reason Code byte, then optional Properties (PUBACK …, DISCONNECT). */
function v5Tail(cur: Cursor, p: MqttPacket, hasReasonCode: boolean): void {
  if (hasReasonCode) v5ReasonCode(cur, p, "variable-header");
  if (cur.remaining > 0) v5Properties(cur, p, "variable-header");
}

/** MQTT 5 Reason Code byte: 0x00 success, ≥ 0x80 failure (MQTT 5 §2.4). */
function v5ReasonCode(cur: Cursor, p: MqttPacket, section: MqttSection): void {
  const start = cur.pos;
  const code = cur.u8("Reason Code");
  p.fields.push({
    name: "Reason Code",
    section,
    offset: cur.base + start,
    length: 1,
    value: code,
    display: `0x${code.toString(16).padStart(2, "0")}${code === 0 ? " (Success)" : code >= 0x80 ? " (failure)" : ""}`,
    note: "MQTT 5",
  });
}

function decodeConnect(cur: Cursor, p: MqttPacket): number {
  const base = cur.base;
  // Variable header (§3.1.2): Protocol Name, Protocol Level, Connect Flags, Keep Alive.
  const name = stringField(cur, p, "Protocol Name", "variable-header", "§3.1.2.1");
  if (name !== "MQTT" && name !== "MQIsdp") p.warnings.push(`Protocol Name ${JSON.stringify(name)} is not "MQTT" (§3.1.2.1)`);
  const levelAt = cur.pos;
  const level = cur.u8("Protocol Level");
  p.protocolLevel = level;
  const levelName: Record<number, string> = { 3: "MQTT 3.1", 4: "MQTT 3.1.1", 5: "MQTT 5" };
  p.fields.push({
    name: "Protocol Level",
    section: "variable-header",
    offset: base + levelAt,
    length: 1,
    value: level,
    display: `${level} (${levelName[level] ?? "unknown"})`,
    spec: "§3.1.2.2",
  });
  if (levelName[level] === undefined) p.warnings.push(`unknown Protocol Level ${level}: the server answers CONNACK 0x01 (§3.1.2.2)`);
  const v5 = level >= 5;

  const flagsAt = base + cur.pos;
  const f = cur.u8("Connect Flags");
  const username = (f & 0x80) !== 0;
  const password = (f & 0x40) !== 0;
  const willRetain = (f & 0x20) !== 0;
  const willQos = (f >> 3) & 0x03;
  const will = (f & 0x04) !== 0;
  const clean = (f & 0x02) !== 0;
  const set = [
    username && "User Name",
    password && "Password",
    willRetain && "Will Retain",
    willQos > 0 && `Will QoS ${willQos}`,
    will && "Will",
    clean && (v5 ? "Clean Start" : "Clean Session"),
  ].filter(Boolean);
  p.fields.push(
    {
      name: "Connect Flags",
      section: "variable-header",
      offset: flagsAt,
      length: 1,
      value: f,
      display: `0b${f.toString(2).padStart(8, "0")}${set.length ? ` (${set.join(", ")})` : ""}`,
      spec: "§3.1.2.3",
    },
    { name: "User Name Flag", section: "variable-header", offset: flagsAt, length: 1, bits: "7", value: username, display: username ? "1" : "0", spec: "§3.1.2.8" },
    { name: "Password Flag", section: "variable-header", offset: flagsAt, length: 1, bits: "6", value: password, display: password ? "1" : "0", spec: "§3.1.2.9" },
    { name: "Will Retain", section: "variable-header", offset: flagsAt, length: 1, bits: "5", value: willRetain, display: willRetain ? "1" : "0", spec: "§3.1.2.7" },
    { name: "Will QoS", section: "variable-header", offset: flagsAt, length: 1, bits: "4-3", value: willQos, display: qosLabel(willQos), spec: "§3.1.2.6" },
    { name: "Will Flag", section: "variable-header", offset: flagsAt, length: 1, bits: "2", value: will, display: will ? "1" : "0", spec: "§3.1.2.5" },
    {
      name: v5 ? "Clean Start" : "Clean Session",
      section: "variable-header",
      offset: flagsAt,
      length: 1,
      bits: "1",
      value: clean,
      display: clean ? "1" : "0",
      spec: "§3.1.2.4",
    },
    { name: "Reserved", section: "variable-header", offset: flagsAt, length: 1, bits: "0", value: (f & 1) !== 0, display: String(f & 1), spec: "§3.1.2.3" },
  );
  if (f & 0x01) p.warnings.push("Connect Flags reserved bit 0 is set: the server must disconnect (§3.1.2.3)");
  if (willQos === 3) p.warnings.push("Will QoS 3 is not allowed (§3.1.2.6)");
  if (!will && (willQos !== 0 || willRetain)) p.warnings.push("Will QoS / Will Retain set without the Will Flag (§3.1.2.6, §3.1.2.7)");
  if (!v5 && password && !username) p.warnings.push("Password Flag set without User Name Flag (§3.1.2.9)");

  const kaAt = cur.pos;
  const keepAlive = cur.u16("Keep Alive");
  p.keepAlive = keepAlive;
  p.fields.push({
    name: "Keep Alive",
    section: "variable-header",
    offset: base + kaAt,
    length: 2,
    value: keepAlive,
    display: keepAlive === 0 ? "0 (disabled)" : `${keepAlive} s`,
    spec: "§3.1.2.10",
  });
  if (v5) {
    p.warnings.push("MQTT 5 CONNECT: properties not decoded");
    v5Properties(cur, p, "variable-header");
  }

  // Payload (§3.1.3): Client Identifier, Will Topic, Will Message, User Name, Password, in this order.
  const payloadStart = cur.pos;
  p.clientId = stringField(cur, p, "Client Identifier", "payload", "§3.1.3.1");
  if (will) {
    if (v5) v5Properties(cur, p, "payload", "Will Properties");
    stringField(cur, p, "Will Topic", "payload", "§3.1.3.2");
    binaryField(cur, p, "Will Message", "§3.1.3.3", false);
  }
  if (username) stringField(cur, p, "User Name", "payload", "§3.1.3.4");
  if (password) binaryField(cur, p, "Password", "§3.1.3.5", true);
  return payloadStart;
}

function decodeConnack(cur: Cursor, p: MqttPacket, v5: boolean): number {
  const base = cur.base;
  const at = cur.pos;
  const flags = cur.u8("Connect Acknowledge Flags");
  p.sessionPresent = (flags & 0x01) !== 0;
  p.fields.push({
    name: "Session Present",
    section: "variable-header",
    offset: base + at,
    length: 1,
    bits: "0",
    value: p.sessionPresent,
    display: p.sessionPresent ? "1 (the server kept a session)" : "0 (new session)",
    spec: "§3.2.2.2",
  });
  if (flags & 0xfe) p.warnings.push("Connect Acknowledge Flags bits 7-1 are reserved and must be 0 (§3.2.2.1)");
  const rcAt = cur.pos;
  const rc = cur.u8(v5 ? "Reason Code" : "Connect Return code");
  p.returnCode = rc;
  p.returnCodeMeaning = v5
    ? rc === 0
      ? "Success"
      : `MQTT 5 reason code 0x${rc.toString(16)}`
    : (CONNACK_RETURN_CODES[rc] ?? "Reserved for future use");
  p.fields.push({
    name: v5 ? "Reason Code" : "Connect Return code",
    section: "variable-header",
    offset: base + rcAt,
    length: 1,
    value: rc,
    display: `${rc} (${p.returnCodeMeaning})`,
    spec: "§3.2.2.3",
  });
  if (v5 && cur.remaining > 0) v5Properties(cur, p, "variable-header");
  // CONNACK has no payload (§3.2.3).
  return cur.packetEnd;
}

function decodePublish(cur: Cursor, p: MqttPacket, v5: boolean): number {
  p.topic = stringField(cur, p, "Topic Name", "variable-header", "§3.3.2.1");
  if (/[#+]/.test(p.topic)) p.warnings.push("Topic Name must not contain wildcards + or # (§3.3.2.1)");
  if (p.topic.length === 0 && !v5) p.warnings.push("Topic Name must be at least one character (§4.7.3)");
  if ((p.qos ?? 0) > 0) packetIdField(cur, p, "§3.3.2.2");
  else if (p.dup) p.warnings.push("DUP must be 0 for QoS 0 messages (§3.3.1.1)");
  if (v5) v5Properties(cur, p, "variable-header");
  const start = cur.pos;
  const declared = Math.max(0, cur.packetEnd - start);
  const n = Math.min(declared, cur.buf.length - start);
  const payload = cur.buf.subarray(start, start + n);
  cur.pos = start + n;
  p.payload = payload;
  const field: MqttField = {
    name: "Payload",
    section: "payload",
    offset: cur.base + start,
    length: n,
    value: payload,
    display: displayPayload(payload),
    spec: "§3.3.3",
  };
  if (n < declared) field.note = `truncated: ${declared - n} of ${declared} bytes missing`;
  p.fields.push(field);
  return start;
}

function decodeSubscribe(cur: Cursor, p: MqttPacket, v5: boolean): number {
  packetIdField(cur, p, SPEC_OF[8]);
  if (v5) v5Properties(cur, p, "variable-header");
  const payloadStart = cur.pos;
  p.subscriptions = [];
  while (cur.remaining > 0) {
    const topicFilter = stringField(cur, p, "Topic Filter", "payload", "§3.8.3");
    const at = cur.pos;
    const opts = cur.u8("Requested QoS");
    const qos = opts & 0x03;
    const field: MqttField = {
      name: v5 ? "Subscription Options" : "Requested QoS",
      section: "payload",
      offset: cur.base + at,
      length: 1,
      value: qos,
      display: qosLabel(qos),
      spec: "§3.8.3.1",
    };
    if (v5 && opts & 0xfc) field.note = `MQTT 5 options byte 0b${opts.toString(2).padStart(8, "0")}: only the QoS bits are decoded`;
    if (!v5 && opts & 0xfc) p.warnings.push("Requested QoS bits 7-2 are reserved and must be 0 (§3.8.3.1)");
    if (qos === 3) p.warnings.push("Requested QoS 3 is not allowed (§3.8.3.1)");
    p.fields.push(field);
    p.subscriptions.push({ topicFilter, qos });
  }
  if (p.subscriptions.length === 0) p.warnings.push("SUBSCRIBE without a topic filter is a protocol violation (§3.8.3)");
  return payloadStart;
}

function decodeSuback(cur: Cursor, p: MqttPacket, v5: boolean): number {
  packetIdField(cur, p, SPEC_OF[9]);
  if (v5) v5Properties(cur, p, "variable-header");
  const payloadStart = cur.pos;
  p.returnCodes = [];
  while (cur.remaining > 0) {
    const at = cur.pos;
    const rc = cur.u8("Return Code");
    p.returnCodes.push(rc);
    const meaning = v5
      ? rc < 3
        ? `Granted QoS ${rc}`
        : rc >= 0x80
          ? `MQTT 5 failure 0x${rc.toString(16)}`
          : "reserved"
      : (SUBACK_RETURN_CODES[rc] ?? "Reserved (malformed)");
    p.fields.push({
      name: "Return Code",
      section: "payload",
      offset: cur.base + at,
      length: 1,
      value: rc,
      display: `0x${rc.toString(16).padStart(2, "0")} (${meaning})`,
      spec: "§3.9.3",
    });
    if (!v5 && SUBACK_RETURN_CODES[rc] === undefined) p.warnings.push(`SUBACK return code 0x${rc.toString(16)} is reserved (§3.9.3)`);
  }
  return payloadStart;
}

function decodeUnsubscribe(cur: Cursor, p: MqttPacket, v5: boolean): number {
  packetIdField(cur, p, SPEC_OF[10]);
  if (v5) v5Properties(cur, p, "variable-header");
  const payloadStart = cur.pos;
  p.unsubscriptions = [];
  while (cur.remaining > 0) p.unsubscriptions.push(stringField(cur, p, "Topic Filter", "payload", "§3.10.3"));
  if (p.unsubscriptions.length === 0) p.warnings.push("UNSUBSCRIBE without a topic filter is a protocol violation (§3.10.3)");
  return payloadStart;
}

function summarize(p: MqttPacket): string {
  const parts = [p.typeName];
  switch (p.type) {
    case 1:
      if (p.clientId !== undefined) parts.push(p.clientId === "" ? "(empty client id)" : p.clientId);
      break;
    case 2:
      if (p.returnCode !== undefined) parts.push(p.returnCode === 0 ? "accepted" : `refused ${p.returnCode}`);
      break;
    case 3:
      if (p.topic !== undefined) parts.push(p.topic);
      parts.push(`QoS ${p.qos ?? 0}`);
      if (p.retain) parts.push("retain");
      if (p.dup) parts.push("dup");
      break;
    case 8:
      if (p.subscriptions) parts.push(p.subscriptions.map((s) => `${s.topicFilter} (QoS ${s.qos})`).join(", "));
      break;
    case 9:
      if (p.returnCodes) parts.push(p.returnCodes.map((c) => (c === 0x80 ? "failure" : `QoS ${c}`)).join(", "));
      break;
    case 10:
      if (p.unsubscriptions) parts.push(p.unsubscriptions.join(", "));
      break;
  }
  if (p.packetId !== undefined) parts.push(`#${p.packetId}`);
  return parts.join(" ");
}
