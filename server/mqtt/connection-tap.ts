import type { Duplex } from "node:stream";
import { PacketFramer } from "./packet-framer";
import type { ConnectionTrace } from "./packet-observer";

function asBuffer(chunk: unknown, encoding?: unknown): Buffer | undefined {
  if (chunk === null || chunk === undefined) return undefined;
  if (typeof chunk === "string") return Buffer.from(chunk, (encoding as BufferEncoding) ?? "utf8");
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * Watches every packet on an MQTT connection that has no fault gate (the
 * WebSocket bridge to an external broker) without changing it: wraps the
 * stream's `push` (bytes in from the client) and `write` (bytes out to it),
 * the same technique as the HTTP tap, and cuts each direction into packets
 * with the framer the gate uses on the embedded broker's connections. The
 * bytes pass through as they came.
 */
export function tapMqttConnection(conn: Duplex, trace: ConnectionTrace): void {
  const inbound = new PacketFramer((raw) => trace.observe(raw, "to-broker"));
  const outbound = new PacketFramer((raw) => trace.observe(raw, "from-broker"));
  const feed = (framer: PacketFramer, buf: Buffer | undefined) => {
    try {
      if (buf) framer.push(buf);
    } catch {
      // A stream the tap cannot frame is the broker's business; the framer stops watching it.
    }
  };

  const origPush = conn.push.bind(conn);
  conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
    feed(inbound, asBuffer(chunk, encoding));
    return origPush(chunk, encoding);
  };
  const origWrite = conn.write.bind(conn) as (...args: unknown[]) => boolean;
  (conn as unknown as { write: (...args: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
    feed(outbound, asBuffer(chunk, typeof rest[0] === "string" ? rest[0] : undefined));
    return origWrite(chunk, ...rest);
  };
}
