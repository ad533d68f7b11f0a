import type { Duplex } from "node:stream";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { parseTopic } from "../../lib/topics";
import { faultSleep, latencyOf } from "../faults/http-faults";
import type { Sandbox } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { PacketFramer, PacketType, readConnect, readPublish, type PublishFacts } from "./packet-framer";
import type { ConnectionTrace } from "./packet-observer";
import { BROKER } from "./participants";

/** How long a reorder window waits for more messages before it releases what it holds. */
const REORDER_FLUSH_MS = 300;
/** Packet ids of a client's recent publishes remembered for PUBACK faults. */
const RECENT_PUBLISHES = 1024;

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
  /**
   * The connection's trace, when the trace is on: it is handed each packet
   * from the gate's framers, inbound as the client sent it and outbound as
   * the gate lets it through, so the trace shows what really crossed the
   * wire and the stream is cut into packets once.
   */
  trace?: ConnectionTrace;
}

interface Out {
  buf: Buffer;
  /** What the gate read from a PUBLISH, passed on to the trace. */
  publish?: PublishFacts;
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
 * With no rule in the packet's session a packet goes straight through.
 */
export class FaultGate {
  /** Topic of each recent publish from this client, by packet id (for PUBACK faults). */
  private readonly published = new Map<number, string>();
  private readonly framer = new PacketFramer((raw) => this.decide(raw));
  private readonly queue: Out[] = [];
  private draining = false;
  private held: { rule: FaultRule; box: Sandbox; packets: Out[]; timer?: NodeJS.Timeout } | undefined;
  private readonly write: (chunk: Buffer) => boolean;
  private readonly inbound = new PacketFramer((raw) => this.fromClient(raw));
  private readonly trace: ConnectionTrace | undefined;
  private clientId = "";
  private clean = true;

  constructor(
    private readonly conn: Duplex,
    private readonly deps: GateDeps,
  ) {
    this.trace = deps.trace;
    // Bytes in: to learn the client id and which deliveries it acknowledged, and for the trace.
    const origPush = conn.push.bind(conn);
    conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk instanceof Uint8Array) {
        try {
          this.inbound.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
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
      // A view, not a copy: a stream's writer leaves a chunk alone once written.
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);
      this.framer.push(buf);
      if (callback) process.nextTick(callback);
      return true;
    };
  }

  private fromClient(raw: Buffer): void {
    const type = raw[0] >> 4;
    try {
      if (type === PacketType.CONNECT) {
        const { clientId, clean } = readConnect(raw);
        this.clientId = clientId;
        this.clean = clean;
        // A clean session starts with nothing in flight (§3.1.2.4).
        if (clean) this.deps.unacked.delete(clientId);
      } else if ((type === PacketType.PUBACK || type === PacketType.PUBREC) && raw.length >= 4) {
        this.deps.unacked.get(this.clientId)?.delete(raw.readUInt16BE(2));
      }
    } catch {
      // A malformed packet is the broker's to refuse.
    }
    this.trace?.observe(raw, "to-broker");
  }

  /**
   * Sets DUP on a re-delivery (§3.3.1.1: "MUST be set to 1 … when it
   * attempts to re-deliver a PUBLISH"), which aedes leaves at 0 when it
   * re-sends a persistent session's unacknowledged messages.
   */
  private markRedelivery(raw: Buffer, p: PublishFacts): Buffer {
    if (p.qos === 0 || this.clientId === "") return raw;
    let ids = this.deps.unacked.get(this.clientId);
    if (!ids) this.deps.unacked.set(this.clientId, (ids = new Set()));
    if (!ids.has(p.packetId)) {
      ids.add(p.packetId);
      return raw;
    }
    // The framer's bytes may be the broker's own buffer: change a copy.
    const marked = Buffer.from(raw);
    marked[0] |= 0x08;
    p.dup = true;
    return marked;
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
    if (type === PacketType.PUBLISH) return this.decidePublish(raw);
    if ((type === PacketType.PUBACK || type === PacketType.PUBREC) && raw.length >= 4) {
      // PUBACK / PUBREC for one of the client's publishes.
      const id = raw.readUInt16BE(2);
      const topic = this.published.get(id);
      const parsed = topic ? parseTopic(topic) : undefined;
      const box = parsed && this.deps.sandbox(parsed.session);
      if (box && box.faults.size > 0) {
        const rule = box.faults.fire([FaultKind.PUBACK_LOSS], { site: "mqtt", mode: Mode.MQTT, topic: parsed!.rest.join("/") });
        if (rule) {
          this.report(box, rule, `${type === PacketType.PUBACK ? "PUBACK" : "PUBREC"} #${id} dropped: the publisher never hears the broker took it`, topic!);
          return;
        }
      }
      this.published.delete(id);
    }
    this.send(raw);
  }

  private decidePublish(given: Buffer): void {
    const facts = readPublish(given);
    const { topic, qos, packetId } = facts;
    const raw = this.markRedelivery(given, facts);
    const parsed = parseTopic(topic);
    const box = parsed && this.deps.sandbox(parsed.session);
    // No rule in the session: straight through, nothing else to decide.
    if (!box || box.faults.size === 0) return this.send(raw, facts);
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
      publish: facts,
      delayMs: latency ? latencyOf(f, latency) : 0,
      bytesPerSecond: bandwidth?.bytesPerSecond,
      slice: slicer ? { bytes: slicer.sliceBytes, delayMs: slicer.sliceDelayMs } : undefined,
    };
    if (latency) this.report(box, latency, `delivery delayed ${out.delayMs} ms`, topic);
    const dup = f.fire([FaultKind.DUPLICATE], point);
    const reorder = f.fire([FaultKind.REORDER], point);
    if (reorder) return this.hold(box, reorder, { buf: raw, publish: facts, delayMs: 0 }, topic);
    this.enqueue(out);
    if (dup) {
      // The copy carries DUP=1 for QoS 1 and 2; DUP must stay 0 at QoS 0 (§3.3.1.1).
      const copy = Buffer.from(raw);
      if (qos > 0) copy[0] |= 0x08;
      this.report(box, dup, `delivered twice${qos > 0 ? ` (#${packetId}, DUP=1)` : " (QoS 0: no DUP flag)"}`, topic);
      this.enqueue({ ...out, buf: copy, publish: { ...facts, dup: qos > 0 }, delayMs: 0 });
    }
  }

  /** Holds deliveries in a window and lets them go in a shuffled order (the rule's own draws). */
  private hold(box: Sandbox, rule: FaultRule, packet: Out, topic: string): void {
    if (!this.held) this.held = { rule, box, packets: [] };
    const h = this.held;
    h.packets.push(packet);
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
    for (const packet of p) this.enqueue(packet);
  }

  /** Writes a whole packet now, unless packets are queued ahead of it; the trace records it as it goes out. */
  private send(buf: Buffer, publish?: PublishFacts): void {
    if (this.draining) {
      this.queue.push({ buf, publish, delayMs: 0 });
      return;
    }
    this.trace?.observe(buf, "from-broker", publish);
    this.write(buf);
  }

  private enqueue(out: Out): void {
    if (!this.draining && out.delayMs === 0 && !out.slice && !out.bytesPerSecond) return this.send(out.buf, out.publish);
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
        // The packet has crossed once its last byte has.
        if (off + piece >= o.buf.length) this.trace?.observe(o.buf, "from-broker", o.publish);
        this.write(part);
        const wait = (off + piece < o.buf.length ? (o.slice?.delayMs ?? 0) : 0) + (o.bytesPerSecond ? (part.length * 1000) / o.bytesPerSecond : 0);
        if (wait > 0) await faultSleep(wait, undefined);
      }
    }
    this.queue.length = 0;
    this.draining = false;
  }
}
