import type { Duplex } from "node:stream";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { parseTopic } from "../../lib/topics";
import { faultSleep, latencyOf } from "../faults/http-faults";
import type { Sandbox } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { BROKER } from "./participants";

/** How long a reorder window waits for more messages before it releases what it holds. */
const REORDER_FLUSH_MS = 300;
/** Packet ids of a client's recent publishes remembered for PUBACK faults. */
const RECENT_PUBLISHES = 1024;

/**
 * Splits a byte stream into whole MQTT control packets: fixed header byte,
 * Remaining Length varint (MQTT 3.1.1 §2.2.3), then that many bytes.
 */
export class PacketFramer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const b = this.pending;
      if (b.length < 2) break;
      let len = 0;
      let mult = 1;
      let i = 1;
      for (; i < b.length && i <= 4; i++) {
        len += (b[i] & 0x7f) * mult;
        mult *= 128;
        if ((b[i] & 0x80) === 0) break;
      }
      if (i >= b.length || (b[i] & 0x80) !== 0) break; // varint incomplete
      const size = i + 1 + len;
      if (b.length < size) break;
      out.push(b.subarray(0, size));
      this.pending = b.subarray(size);
    }
    return out;
  }
}

/** Topic, QoS and packet id of a PUBLISH packet's bytes (MQTT 3.1.1 §3.3). */
export function readPublish(raw: Buffer): { topic: string; qos: number; packetId: number } {
  let i = 1;
  while (raw[i] & 0x80) i++;
  i++;
  const topicLength = raw.readUInt16BE(i);
  const topic = raw.toString("utf8", i + 2, i + 2 + topicLength);
  const qos = (raw[0] >> 1) & 3;
  const packetId = qos > 0 ? raw.readUInt16BE(i + 2 + topicLength) : 0;
  return { topic, qos, packetId };
}

/** Where a CONNECT's client id and CleanSession flag sit (MQTT 3.1.1 §3.1.2.4, §3.1.3.1). */
export function readConnect(raw: Buffer): { clientId: string; clean: boolean } {
  let i = 1;
  while (raw[i] & 0x80) i++;
  i++;
  const nameLength = raw.readUInt16BE(i);
  const flags = raw[i + 2 + nameLength + 1];
  const payload = i + 2 + nameLength + 1 + 1 + 2;
  const idLength = raw.readUInt16BE(payload);
  return { clientId: raw.toString("utf8", payload + 2, payload + 2 + idLength), clean: (flags & 0x02) !== 0 };
}

export interface GateDeps {
  hub: TraceHub;
  /**
   * Packet ids the broker sent each client id and the client has not
   * acknowledged yet, kept across connections: a PUBLISH with one of these
   * ids is a re-delivery.
   */
  unacked: Map<string, Set<number>>;
  /** A session's sandbox if it lives in this lab (never creates one). */
  sandbox: (session: string) => Sandbox | undefined;
  /** The client's name in the diagram, once known. */
  participant: () => string;
}

interface Out {
  buf: Buffer;
  delayMs: number;
  slice?: { bytes: number; delayMs: number };
  bytesPerSecond?: number;
}

/**
 * The broker's fault gate on one client connection. Everything the broker
 * writes to the client passes through it as whole packets, and a session's
 * MQTT faults act on the packets of that session's topics only: a
 * delivery duplicated (the copy with DUP set, §3.3.1.1), a QoS 0 delivery
 * dropped (§4.3.1), a PUBACK to the publisher dropped (§4.3.2), deliveries
 * delayed, reordered, sliced or throttled, or the connection reset.
 * Installed outside the connection's tap, so the trace shows what really
 * crossed the wire.
 */
export class FaultGate {
  /** Topic of each recent publish from this client, by packet id (for PUBACK faults). */
  private readonly published = new Map<number, string>();
  private readonly framer = new PacketFramer();
  private readonly queue: Out[] = [];
  private draining = false;
  private held: { rule: FaultRule; box: Sandbox; packets: Buffer[]; timer?: NodeJS.Timeout } | undefined;
  private readonly write: (chunk: Buffer) => boolean;
  private readonly inbound = new PacketFramer();
  private clientId = "";
  private clean = true;

  constructor(
    private readonly conn: Duplex,
    private readonly deps: GateDeps,
  ) {
    // Bytes in: only to learn the client id and which deliveries it acknowledged.
    const origPush = conn.push.bind(conn);
    conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk instanceof Uint8Array) {
        try {
          for (const packet of this.inbound.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) this.fromClient(packet);
        } catch {
          // A malformed stream is the broker's to refuse.
        }
      }
      return origPush(chunk, encoding);
    };
    conn.once("close", () => {
      if (this.clean && this.clientId !== "") this.deps.unacked.delete(this.clientId);
    });
    const orig = conn.write.bind(conn) as (chunk: Buffer) => boolean;
    this.write = orig;
    (conn as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const callback = (typeof encoding === "function" ? encoding : cb) as (() => void) | undefined;
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      for (const packet of this.framer.push(buf)) this.decide(packet);
      if (callback) process.nextTick(callback);
      return true;
    };
  }

  private fromClient(raw: Buffer): void {
    const type = raw[0] >> 4;
    if (type === 1) {
      const { clientId, clean } = readConnect(raw);
      this.clientId = clientId;
      this.clean = clean;
      // A clean session starts with nothing in flight (§3.1.2.4).
      if (clean) this.deps.unacked.delete(clientId);
    } else if ((type === 4 || type === 5) && raw.length >= 4) {
      this.deps.unacked.get(this.clientId)?.delete(raw.readUInt16BE(2));
    }
  }

  /**
   * Sets DUP on a re-delivery (§3.3.1.1: "MUST be set to 1 … when it
   * attempts to re-deliver a PUBLISH"), which aedes leaves at 0 when it
   * re-sends a persistent session's unacknowledged messages.
   */
  private markRedelivery(raw: Buffer, qos: number, packetId: number): void {
    if (qos === 0 || this.clientId === "") return;
    let ids = this.deps.unacked.get(this.clientId);
    if (!ids) this.deps.unacked.set(this.clientId, (ids = new Set()));
    if (ids.has(packetId)) raw[0] |= 0x08;
    else ids.add(packetId);
  }

  /** Called for each PUBLISH the client sends, before the broker acts on it. */
  notePublish(packetId: number, topic: string): void {
    if (packetId === 0) return;
    if (this.published.size >= RECENT_PUBLISHES) this.published.delete(this.published.keys().next().value!);
    this.published.set(packetId, topic);
  }

  private report(box: Sandbox, rule: FaultRule, detail: string, topic: string): void {
    const to = this.deps.participant();
    this.deps.hub.emit({
      session: box.id,
      from: BROKER,
      to,
      observer: BROKER,
      mode: Mode.MQTT,
      kind: EventKind.FAULT,
      summary: `⚡ ${detail}`,
      mqtt: { topic },
      fault: { ruleId: rule.id, kind: FaultKind[rule.kind].toLowerCase(), detail },
    });
  }

  private decide(raw: Buffer): void {
    const type = raw[0] >> 4;
    if (type === 3) return this.decidePublish(raw);
    if ((type === 4 || type === 5) && raw.length >= 4) {
      // PUBACK / PUBREC for one of the client's publishes.
      const id = raw.readUInt16BE(2);
      const topic = this.published.get(id);
      const parsed = topic ? parseTopic(topic) : undefined;
      const box = parsed && this.deps.sandbox(parsed.session);
      if (box && box.faults.size > 0) {
        const rule = box.faults.fire([FaultKind.PUBACK_LOSS], { site: "mqtt", mode: Mode.MQTT, topic: parsed!.rest.join("/") });
        if (rule) {
          this.report(box, rule, `${type === 4 ? "PUBACK" : "PUBREC"} #${id} dropped: the publisher never hears the broker took it`, topic!);
          return;
        }
      }
      this.published.delete(id);
    }
    this.enqueue({ buf: raw, delayMs: 0 });
  }

  private decidePublish(given: Buffer): void {
    const { topic, qos, packetId } = readPublish(given);
    const raw = qos > 0 ? Buffer.from(given) : given;
    this.markRedelivery(raw, qos, packetId);
    const parsed = parseTopic(topic);
    const box = parsed && this.deps.sandbox(parsed.session);
    if (!box || box.faults.size === 0) return this.enqueue({ buf: raw, delayMs: 0 });
    const f = box.faults;
    const point = { site: "mqtt" as const, mode: Mode.MQTT, topic: parsed!.rest.join("/") };
    const reset = f.fire([FaultKind.RESET], point);
    if (reset) {
      this.report(box, reset, `connection reset while delivering to ${this.deps.participant()}`, topic);
      this.conn.destroy();
      return;
    }
    if (qos === 0) {
      const loss = f.fire([FaultKind.MESSAGE_LOSS], point);
      if (loss) {
        box.counters.messagesLost++;
        this.report(box, loss, `QoS 0 message lost: at most once, nobody re-sends it (MQTT 3.1.1 §4.3.1)`, topic);
        return;
      }
    }
    const latency = f.fire([FaultKind.LATENCY], point);
    const bandwidth = f.fire([FaultKind.BANDWIDTH], point);
    const slicer = f.fire([FaultKind.SLICER], point);
    const out: Out = {
      buf: raw,
      delayMs: latency ? latencyOf(f, latency) : 0,
      bytesPerSecond: bandwidth?.bytesPerSecond,
      slice: slicer ? { bytes: slicer.sliceBytes, delayMs: slicer.sliceDelayMs } : undefined,
    };
    if (latency) this.report(box, latency, `delivery delayed ${out.delayMs} ms`, topic);
    const dup = f.fire([FaultKind.DUPLICATE], point);
    const reorder = f.fire([FaultKind.REORDER], point);
    if (reorder) return this.hold(box, reorder, raw, topic);
    this.enqueue(out);
    if (dup) {
      // The copy carries DUP=1 for QoS 1 and 2; DUP must stay 0 at QoS 0 (§3.3.1.1).
      const copy = Buffer.from(raw);
      if (qos > 0) copy[0] |= 0x08;
      this.report(box, dup, `delivered twice${qos > 0 ? ` (#${packetId}, DUP=1)` : " (QoS 0: no DUP flag)"}`, topic);
      this.enqueue({ ...out, buf: copy, delayMs: 0 });
    }
  }

  /** Holds deliveries in a window and lets them go in a shuffled order (the rule's own draws). */
  private hold(box: Sandbox, rule: FaultRule, raw: Buffer, topic: string): void {
    if (!this.held) this.held = { rule, box, packets: [] };
    const h = this.held;
    h.packets.push(raw);
    if (h.packets.length === 1) this.report(box, rule, `deliveries on ${topic.split("/").slice(2).join("/")} held for reordering (window ${rule.window})`, topic);
    clearTimeout(h.timer);
    if (h.packets.length >= rule.window) return this.release();
    h.timer = setTimeout(() => this.release(), REORDER_FLUSH_MS);
  }

  private release(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    clearTimeout(h.timer);
    const p = h.packets;
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(h.box.faults.draw(h.rule) * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    for (const buf of p) this.enqueue({ buf, delayMs: 0 });
  }

  private enqueue(out: Out): void {
    if (!this.draining && this.queue.length === 0 && out.delayMs === 0 && !out.slice && !out.bytesPerSecond) {
      this.write(out.buf);
      return;
    }
    this.queue.push(out);
    if (!this.draining) void this.drain();
  }

  /** Writes queued packets in order; a delayed packet delays the ones behind it, as on a real link. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0 && !this.conn.destroyed) {
      const o = this.queue.shift()!;
      if (o.delayMs > 0) await faultSleep(o.delayMs, undefined);
      const piece = o.slice?.bytes ?? (o.bytesPerSecond ? Math.max(1, Math.ceil(o.bytesPerSecond / 20)) : o.buf.length);
      for (let off = 0; off < o.buf.length && !this.conn.destroyed; off += piece) {
        const part = o.buf.subarray(off, off + piece);
        this.write(part);
        const wait = (off + piece < o.buf.length ? (o.slice?.delayMs ?? 0) : 0) + (o.bytesPerSecond ? (part.length * 1000) / o.bytesPerSecond : 0);
        if (wait > 0) await faultSleep(wait, undefined);
      }
    }
    this.queue.length = 0;
    this.draining = false;
  }
}
