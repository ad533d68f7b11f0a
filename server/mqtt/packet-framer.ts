/**
 * MQTT control packets cut from a byte stream, and the few facts the broker
 * front (fault gate and trace) reads from their bytes at fixed places.
 *
 * Spec: MQTT Version 3.1.1, OASIS Standard, 29 October 2014. Section
 * numbers (§) refer to it; MQTT 5 is read where its layout differs (its
 * property sections, MQTT 5.0 §2.2.2), so a version 5 client is traced too.
 * The inspector's field-by-field decoder is lib/wire/mqtt-packet.ts; this
 * file reads only what a hot path needs, without allocating a packet object.
 */

/** Control packet types (§2.2.1, Table 2.1). */
export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
} as const;

/** Packet type names as the trace shows them, by type number (0 is reserved). */
export const PACKET_TYPE_NAMES: readonly string[] = [
  "RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
  "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH",
];

/** A Remaining Length longer than 4 bytes (§2.2.3): the stream is not MQTT. */
export class MalformedPacketError extends Error {}

/**
 * Size of the packet starting at `off`: the fixed header (1 byte plus the
 * Remaining Length, a varint of 1–4 bytes, §2.2.3) plus the Remaining
 * Length; -1 while the fixed header is not all in `b` yet.
 */
function frameSize(b: Buffer, off: number): number {
  let len = 0;
  let mult = 1;
  for (let i = off + 1; i < off + 5; i++) {
    if (i >= b.length) return -1;
    const digit = b[i];
    len += (digit & 0x7f) * mult;
    if ((digit & 0x80) === 0) return i + 1 - off + len;
    mult *= 128;
  }
  throw new MalformedPacketError("Remaining Length longer than 4 bytes (MQTT 3.1.1 §2.2.3)");
}

/**
 * Splits one direction of a byte stream into whole control packets, in
 * order, each handed over as its exact bytes. A chunk of whole packets is
 * cut into views without copying; the bytes of a packet that spans chunks
 * are gathered and joined once, when its last byte arrives. After a
 * malformed fixed header the framer stops (the broker refuses the stream).
 *
 * The views share memory with the chunks written or read, which a stream
 * may not change once handed over; a consumer that changes a packet's
 * bytes copies it first.
 */
export class PacketFramer {
  private parts: Buffer[] = [];
  private have = 0;
  /** Size of the packet being gathered; 0 while its fixed header is incomplete. */
  private need = 0;
  private broken = false;

  constructor(private readonly onPacket: (raw: Buffer) => void) {}

  /** Feeds the next chunk of the stream; throws MalformedPacketError once, then ignores the stream. */
  push(chunk: Buffer): void {
    if (this.broken || chunk.length === 0) return;
    let b = chunk;
    if (this.have > 0) {
      this.parts.push(chunk);
      this.have += chunk.length;
      if (this.need === 0) {
        // Only the first few bytes of a packet are held while its header is incomplete.
        b = Buffer.concat(this.parts, this.have);
        this.parts = [b];
        const size = this.size(b, 0);
        if (size < 0) return;
        this.need = size;
      }
      if (this.have < this.need) return;
      b = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.have);
      this.parts = [];
      this.have = 0;
      this.need = 0;
    }
    let off = 0;
    while (off < b.length) {
      const size = this.size(b, off);
      if (size < 0 || off + size > b.length) {
        this.parts = [b.subarray(off)];
        this.have = b.length - off;
        this.need = Math.max(size, 0);
        return;
      }
      this.onPacket(b.subarray(off, off + size));
      off += size;
    }
  }

  private size(b: Buffer, off: number): number {
    try {
      return frameSize(b, off);
    } catch (err) {
      this.broken = true;
      this.parts = [];
      this.have = 0;
      throw err;
    }
  }
}

/** Offset of the variable header: after the type byte and the Remaining Length (§2.2, §2.2.3). */
export function variableHeaderOffset(raw: Uint8Array, start = 0): number {
  let i = start + 1;
  while (raw[i] & 0x80) i++;
  return i + 1;
}

/** A Variable Byte Integer (MQTT 5.0 §1.5.5, the same encoding as §2.2.3) at `at`: its value and size in bytes. */
function readVarint(raw: Uint8Array, at: number): { value: number; size: number } {
  let value = 0;
  let mult = 1;
  let i = at;
  for (; raw[i] & 0x80; i++, mult *= 128) value += (raw[i] & 0x7f) * mult;
  value += raw[i] * mult;
  return { value, size: i + 1 - at };
}

/** What the fixed header (§3.3.1) and variable header (§3.3.2) of a PUBLISH say. */
export interface PublishFacts {
  topic: string;
  qos: number;
  dup: boolean;
  retain: boolean;
  /** Packet Identifier (§2.3.1); 0 at QoS 0, which has none. */
  packetId: number;
}

/**
 * Topic, flags and packet id of a PUBLISH packet's bytes: DUP, QoS and
 * RETAIN are bits 3, 2–1 and 0 of the first byte (§3.3.1), then come the
 * Topic Name (§3.3.2.1) and, at QoS 1 and 2, the Packet Identifier (§3.3.2.2).
 */
export function readPublish(raw: Buffer): PublishFacts {
  // MQTT 5's properties come after what is read here: any level will do.
  const l = readPublishLayout(raw, 0, 4, layout);
  const topic = raw.toString("utf8", l.topicAt, l.topicAt + l.topicLength);
  return { topic, qos: (raw[0] >> 1) & 3, dup: (raw[0] & 0x08) !== 0, retain: (raw[0] & 0x01) !== 0, packetId: l.packetId };
}

/**
 * Where the parts of a PUBLISH lie: the Topic Name (§3.3.2.1), the Packet
 * Identifier at QoS 1 and 2 (§3.3.2.2), then, after MQTT 5's properties,
 * the Application Message (§3.3.3) up to the packet's end. Offsets are in
 * the buffer the packet was read from.
 */
export class PublishLayout {
  topicAt = 0;
  topicLength = 0;
  /** 0 at QoS 0, which has none. */
  packetId = 0;
  payloadAt = 0;
}

/**
 * Reads the layout of the PUBLISH starting at `start` in `raw` into `into`
 * and returns it: a hot path reuses one layout and allocates nothing.
 */
export function readPublishLayout(raw: Uint8Array, start: number, protocolLevel: number, into: PublishLayout): PublishLayout {
  const i = variableHeaderOffset(raw, start);
  into.topicLength = (raw[i] << 8) | raw[i + 1];
  into.topicAt = i + 2;
  let at = into.topicAt + into.topicLength;
  if ((raw[start] >> 1) & 3) {
    into.packetId = (raw[at] << 8) | raw[at + 1];
    at += 2;
  } else {
    into.packetId = 0;
  }
  if (protocolLevel === 5) {
    const props = readVarint(raw, at);
    at += props.size + props.value;
  }
  into.payloadAt = at;
  return into;
}

const layout = new PublishLayout();

/**
 * Bytes of a PUBLISH's Application Message (§3.3.3): what follows the
 * variable header, and in MQTT 5 its properties.
 */
export function publishPayloadLength(raw: Buffer, protocolLevel: number): number {
  return raw.length - readPublishLayout(raw, 0, protocolLevel, layout).payloadAt;
}

/**
 * The Packet Identifier right after the fixed header (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK; §2.3.1)
 * of the packet in `raw` from `start` to `end`; 0 if absent.
 */
export function readPacketId(raw: Uint8Array, start = 0, end = raw.length): number {
  const i = variableHeaderOffset(raw, start);
  return end >= i + 2 ? (raw[i] << 8) | raw[i + 1] : 0;
}

/** What a CONNECT says (§3.1.2 variable header, §3.1.3 payload). */
export interface ConnectFacts {
  /** Protocol Level (§3.1.2.2): 4 for 3.1.1, 5 for MQTT 5. */
  protocolLevel: number;
  clientId: string;
  /** CleanSession (§3.1.2.4). */
  clean: boolean;
  username: string | undefined;
}

/**
 * Reads a CONNECT: Protocol Name and Level, the Connect Flags byte
 * (§3.1.2.3), Keep Alive, then the payload in order (§3.1.3): Client
 * Identifier, Will Topic and Will Message if the Will Flag is set, User
 * Name if its flag is set. MQTT 5 adds property sections before the
 * payload and before the Will Topic.
 */
export function readConnect(raw: Buffer): ConnectFacts {
  const i = variableHeaderOffset(raw);
  const nameLength = raw.readUInt16BE(i);
  const protocolLevel = raw[i + 2 + nameLength];
  const flags = raw[i + 2 + nameLength + 1];
  let at = i + 2 + nameLength + 1 + 1 + 2;
  const skipProperties = () => {
    if (protocolLevel !== 5) return;
    const props = readVarint(raw, at);
    at += props.size + props.value;
  };
  const string = () => {
    const n = raw.readUInt16BE(at);
    const s = raw.toString("utf8", at + 2, at + 2 + n);
    at += 2 + n;
    return s;
  };
  skipProperties();
  const clientId = string();
  if (flags & 0x04) {
    skipProperties();
    string();
    at += 2 + raw.readUInt16BE(at);
  }
  const username = flags & 0x80 ? string() : undefined;
  return { protocolLevel, clientId, clean: (flags & 0x02) !== 0, username };
}

/**
 * Topic filters and the first one's requested QoS of a SUBSCRIBE (§3.8.3:
 * filter, then a QoS byte, repeated) or the filters of an UNSUBSCRIBE
 * (§3.10.3), after the Packet Identifier and, in MQTT 5, the properties.
 */
export function readTopicFilters(raw: Buffer, protocolLevel: number): { filters: string[]; firstQos: number } {
  const subscribe = raw[0] >> 4 === PacketType.SUBSCRIBE;
  let at = variableHeaderOffset(raw) + 2;
  if (protocolLevel === 5) {
    const props = readVarint(raw, at);
    at += props.size + props.value;
  }
  const filters: string[] = [];
  let firstQos = 0;
  while (at + 2 <= raw.length) {
    const n = raw.readUInt16BE(at);
    filters.push(raw.toString("utf8", at + 2, at + 2 + n));
    at += 2 + n;
    if (subscribe) {
      if (filters.length === 1) firstQos = raw[at] & 0x03;
      at++;
    }
  }
  return { filters, firstQos };
}

/**
 * CONNACK's return code (§3.2.2.3; MQTT 5's reason code sits in the same
 * byte), or SUBACK's return codes, comma-separated (§3.9.3). "" for other
 * packets.
 */
export function readReturnCode(raw: Buffer, protocolLevel: number): string {
  const type = raw[0] >> 4;
  const i = variableHeaderOffset(raw);
  if (type === PacketType.CONNACK) return String(raw[i + 1] ?? 0);
  if (type !== PacketType.SUBACK) return "";
  let at = i + 2;
  if (protocolLevel === 5) {
    const props = readVarint(raw, at);
    at += props.size + props.value;
  }
  const codes: number[] = [];
  for (; at < raw.length; at++) codes.push(raw[at]);
  return codes.join(", ");
}
