import type { Duplex } from "node:stream";
import mqttPacket, { type Packet } from "mqtt-packet";
import type { ConnectionTrace, PacketDirection } from "./packet-observer";

/**
 * Parses one direction of an MQTT byte stream into packets with their exact
 * bytes. A packet's size is its fixed header (1 byte + the Remaining Length
 * varint, MQTT 3.1.1 §2.2.3) plus the Remaining Length, so the raw bytes of
 * each packet are cut from the stream in order.
 */
class DirectionParser {
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private pending: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(onPacket: (packet: Packet, raw: Uint8Array) => void) {
    this.parser.on("packet", (packet: Packet) => {
      const size = packetSize(packet.length ?? 0);
      const raw = this.pending.subarray(0, size);
      this.pending = this.pending.subarray(size);
      onPacket(packet, raw);
    });
    // A stream the tap cannot parse is the broker's business; stop watching it.
    this.parser.on("error", () => {
      this.broken = true;
    });
  }

  setProtocolVersion(version: number): void {
    (this.parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion = version;
  }

  feed(chunk: Buffer): void {
    if (this.broken) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.parser.parse(chunk);
  }
}

function packetSize(remainingLength: number): number {
  let varint = 1;
  for (let n = remainingLength; n >= 128; n = Math.floor(n / 128)) varint++;
  return 1 + varint + remainingLength;
}

function asBuffer(chunk: unknown, encoding?: unknown): Buffer | undefined {
  if (chunk === null || chunk === undefined) return undefined;
  if (typeof chunk === "string") return Buffer.from(chunk, (encoding as BufferEncoding) ?? "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * Watches every packet on a broker connection without changing it: wraps
 * the stream's `push` (bytes in from the client) and `write` (bytes out to
 * it), the same technique as the HTTP tap.
 */
export function tapMqttConnection(conn: Duplex, trace: ConnectionTrace): void {
  const observe = (direction: PacketDirection) => (packet: Packet, raw: Uint8Array) => {
    if (packet.cmd === "connect" && packet.protocolVersion === 5) {
      inbound.setProtocolVersion(5);
      outbound.setProtocolVersion(5);
    }
    trace.observe(packet, direction, raw);
  };
  const inbound = new DirectionParser(observe("to-broker"));
  const outbound = new DirectionParser(observe("from-broker"));

  const origPush = conn.push.bind(conn);
  conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
    const buf = asBuffer(chunk, encoding);
    if (buf) inbound.feed(buf);
    return origPush(chunk, encoding);
  };
  const origWrite = conn.write.bind(conn) as (...args: unknown[]) => boolean;
  (conn as unknown as { write: (...args: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
    const buf = asBuffer(chunk, typeof rest[0] === "string" ? rest[0] : undefined);
    if (buf) outbound.feed(buf);
    return origWrite(chunk, ...rest);
  };
}
