import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { newSpanId } from "../../lib/trace";
import { LabTopicReader, sessionOfTopic, sessionPrefix } from "../../lib/topics";
import { SESSION_ID } from "../sandbox/sandbox";
import { WIRE_PREVIEW_BYTES, type LazyTraceEvent, type TraceHub } from "../trace/trace-hub";
import {
  PACKET_TYPE_NAMES,
  PacketType,
  publishPayloadLength,
  readConnect,
  readPacketId,
  readPublish,
  readReturnCode,
  readTopicFilters,
  type PublishFacts,
} from "./packet-framer";
import { BROKER, messageTypeForTopic, participantForClientId, sessionOfServiceClient } from "./participants";

/** Which way a packet went: client → broker or broker → client. */
export type PacketDirection = "to-broker" | "from-broker";

/** A QoS 1 or 2 PUBLISH in flight, for the acks that carry its Packet Identifier. */
interface Flow {
  session: string;
  spanId: string;
  parent: string;
}

/**
 * The bytes of the packets the trace keeps, copied into shared chunks.
 *
 * An event lives as long as its session's buffer keeps it (5,000 events by
 * default): holding the packet's own Buffer would keep a Uint8Array and
 * the socket read's ArrayBuffer alive per packet, objects every scavenge
 * copies and that end up promoted, where a copy into a chunk is a few
 * dozen bytes outside the JS heap (MQTT request/reply at QoS 0, 48k events,
 * --trace-gc: the lab's scavenges took 67–72 ms more with the trace on than
 * off, 44–48 ms more with the copies).
 * A chunk is freed when no event refers to it any more; a packet too big
 * for a chunk keeps its own bytes.
 */
class PacketStore {
  static readonly CHUNK = 32 * 1024;
  private chunk = Buffer.allocUnsafeSlow(PacketStore.CHUNK);
  private pos = 0;

  /** The chunk the last `keep` put its copy in (the packet itself when it was too big). */
  last: Buffer = this.chunk;

  /** Copies `raw` and returns the copy's offset in `last`. */
  keep(raw: Buffer): number {
    if (raw.length > PacketStore.CHUNK / 4) {
      this.last = raw;
      return 0;
    }
    if (this.pos + raw.length > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(PacketStore.CHUNK);
      this.pos = 0;
    }
    const at = this.pos;
    // Uint8Array's set: Buffer's copy checks and converts its arguments first, a third of this for a 60-byte packet.
    this.chunk.set(raw, at);
    this.pos += raw.length;
    this.last = this.chunk;
    return at;
  }
}

const store = new PacketStore();

/** Reads each traced PUBLISH's topic in place (one reader, topic after topic). */
const topics = new LabTopicReader();

/**
 * One MQTT packet as the trace records it: at capture, the facts that
 * depend on the order of packets (session, spans) and references to the
 * packet's bytes; the rest (summary, byte counts, return codes, the wire
 * preview) is read from those bytes only when the event is read.
 */
class MqttPacketEvent implements LazyTraceEvent {
  /** Set by the hub when it records the event (a number until the event becomes a message). */
  seq = 0;
  timeUnixMs = 0;

  constructor(
    readonly session: string,
    /** The packet's bytes: `size` of them at `at` in `chunk` (see PacketStore). */
    private readonly chunk: Buffer,
    private readonly at: number,
    private readonly size: number,
    private readonly toBroker: boolean,
    private readonly participant: string,
    private readonly clientId: string,
    private readonly protocolLevel: number,
    private readonly spanId: string,
    private readonly parentSpanId: string,
    private readonly topic: string,
    private readonly qos: number,
    private readonly packetId: number,
    /** The message type a PUBLISH's topic carries (read at capture, when its topic is read for the session). */
    private readonly messageType: string,
  ) {}

  build(light: boolean) {
    const raw = this.chunk.subarray(this.at, this.at + this.size);
    const type = raw[0] >> 4;
    const name = PACKET_TYPE_NAMES[type];
    const publish = type === PacketType.PUBLISH;
    const returnCode = readReturnCode(raw, this.protocolLevel);
    const body = publish ? publishPayloadLength(raw, this.protocolLevel) : 0;
    const topic = this.topic;
    const prefix = sessionPrefix(this.session);
    const shortTopic = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
    const truncated = raw.length > WIRE_PREVIEW_BYTES;
    return {
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      from: this.toBroker ? this.participant : BROKER,
      to: this.toBroker ? BROKER : this.participant,
      observer: BROKER,
      mode: Mode.MQTT,
      kind: EventKind.MQTT_PACKET,
      summary: summaryOf(name, shortTopic, this.packetId, returnCode),
      bytes: { header: raw.length - body, body, framing: 0 },
      mqtt: {
        packetType: name,
        topic,
        qos: this.qos,
        // DUP and RETAIN are PUBLISH flags (§3.3.1.1, §3.3.1.3); other types' flag bits are fixed.
        dup: publish && (raw[0] & 0x08) !== 0,
        retain: publish && (raw[0] & 0x01) !== 0,
        packetId: this.packetId,
        clientId: this.clientId,
        returnCode,
        messageType: this.messageType,
      },
      wire: light ? undefined : truncated ? raw.subarray(0, WIRE_PREVIEW_BYTES) : raw,
      wireTruncated: !light && truncated,
    };
  }
}

/**
 * One MQTT connection as the trace sees it. Packets of a learner's client
 * belong to its session (its username); packets of the lab's own clients
 * belong to the session in their topic, and acks to the session of the
 * PUBLISH whose Packet Identifier they carry (MQTT 3.1.1 §2.3.1).
 */
export class ConnectionTrace {
  clientId = "";
  participant = "MQTT client";
  /** The learner's session, when the client logged in with one. */
  session: string | undefined;
  /** Protocol Level from the CONNECT (§3.1.2.2): 4 for 3.1.1, 5 for MQTT 5. */
  private protocolLevel = 4;
  /** Packet Identifier → session and span of the client's QoS > 0 publishes, and of the broker's (ids are per direction). */
  private readonly clientFlows = new Map<number, Flow>();
  private readonly brokerFlows = new Map<number, Flow>();
  /** A stream the trace cannot read is the broker's business: it stops watching. */
  private broken = false;

  constructor(
    private readonly hub: TraceHub,
    private readonly publishes: RecentPublishes,
  ) {}

  /** Names the client before its CONNECT is seen (a client-side tap may miss it). */
  identify(clientId: string): void {
    this.clientId = clientId;
    this.participant = participantForClientId(clientId);
    this.session ??= sessionOfServiceClient(clientId);
  }

  /**
   * Records one whole packet that crossed this connection, given its exact
   * bytes (which must not change afterwards); `publish` is what the caller
   * already read from a PUBLISH (readPublish), so it is not read twice.
   */
  observe(raw: Buffer, direction: PacketDirection, publish?: PublishFacts): void {
    if (this.broken) return;
    try {
      this.record(raw, direction, publish);
    } catch {
      this.broken = true;
    }
  }

  private record(raw: Buffer, direction: PacketDirection, given: PublishFacts | undefined): void {
    const type = raw[0] >> 4;
    const toBroker = direction === "to-broker";
    let session = this.session;
    let topic = "";
    let qos = 0;
    let packetId = 0;
    let spanId = "";
    let parentSpanId = "";
    let messageType = "";
    switch (type) {
      case PacketType.CONNECT: {
        const c = readConnect(raw);
        this.protocolLevel = c.protocolLevel;
        this.identify(c.clientId);
        this.session = c.username !== undefined && SESSION_ID.test(c.username) ? c.username : sessionOfServiceClient(c.clientId);
        session = this.session;
        break;
      }
      case PacketType.PUBLISH: {
        const p = given ?? readPublish(raw);
        topic = p.topic;
        qos = p.qos;
        packetId = p.packetId;
        const lab = topics.read(topic);
        if (lab) {
          messageType = messageTypeForTopic(topics);
          if (session === undefined) {
            const s = topics.session;
            if (s !== "+" && s !== "#") session = s;
          }
        }
        spanId = newSpanId();
        if (toBroker) {
          parentSpanId = this.publishes.takeCause(topic) ?? "";
          this.publishes.remember(topic, spanId);
          // Request/reply: the correlation id in the topic is the caller's
          // span, so the whole exchange forms one span tree.
          if (lab && (topics.restIs(0, "rpc") || topics.restIs(0, "reply")) && topics.restLength >= 4) parentSpanId = topics.rest(3);
        } else {
          parentSpanId = this.publishes.spanOf(topic) ?? "";
        }
        if (session !== undefined && qos > 0) (toBroker ? this.clientFlows : this.brokerFlows).set(packetId, { session, spanId, parent: parentSpanId });
        break;
      }
      case PacketType.PUBACK:
      case PacketType.PUBREC:
      case PacketType.PUBREL:
      case PacketType.PUBCOMP: {
        packetId = readPacketId(raw);
        // Acks flow the other way from their PUBLISH: PUBACK/PUBREC/PUBCOMP
        // answer a PUBLISH sent in the opposite direction, PUBREL one sent in
        // the same direction (MQTT 3.1.1 §4.3.3).
        const sameWay = type === PacketType.PUBREL;
        const flows = toBroker === sameWay ? this.clientFlows : this.brokerFlows;
        const flow = flows.get(packetId);
        if (flow) {
          session ??= flow.session;
          spanId = flow.spanId;
          parentSpanId = flow.parent;
          if (type === PacketType.PUBACK || type === PacketType.PUBCOMP) flows.delete(packetId);
        }
        break;
      }
      case PacketType.SUBSCRIBE:
      case PacketType.UNSUBSCRIBE: {
        const { filters, firstQos } = readTopicFilters(raw, this.protocolLevel);
        topic = filters.join(", ");
        if (type === PacketType.SUBSCRIBE) qos = firstQos;
        session ??= filters.map(sessionOfTopic).find((s) => s !== undefined);
        packetId = readPacketId(raw);
        break;
      }
      case PacketType.SUBACK:
      case PacketType.UNSUBACK:
        packetId = readPacketId(raw);
        break;
    }
    if (session === undefined) return;
    const at = store.keep(raw);
    this.hub.emit(
      new MqttPacketEvent(session, store.last, at, raw.length, toBroker, this.participant, this.clientId, this.protocolLevel, spanId || newSpanId(), parentSpanId, topic, qos, packetId, messageType),
    );
  }
}

function summaryOf(type: string, topic: string, packetId: number, returnCode: string): string {
  switch (type) {
    case "PUBLISH":
      return `PUBLISH ${topic}`;
    case "PUBACK":
    case "PUBREC":
    case "PUBREL":
    case "PUBCOMP":
      return `${type} #${packetId}`;
    case "CONNACK":
      return `CONNACK ${returnCode}`;
    case "SUBSCRIBE":
      return `SUBSCRIBE ${topic}`;
    case "SUBACK":
      return `SUBACK ${returnCode}`;
    default:
      return type;
  }
}

/**
 * The span of the most recent inbound PUBLISH per topic, so the broker's
 * deliveries of it to subscribers name it as their parent.
 *
 * Request/reply topics carry a correlation id, so nearly every topic is
 * new: the spans are kept in two generations of RECENT_TOPICS topics each,
 * the older dropped whole when the newer fills, which remembers the last
 * 5,000–10,000 topics at the cost of a Map.set. (Evicting the oldest topic
 * one at a time, Map.delete and keys().next() per publish, cost 0.7 µs per
 * publish, a third of what the trace spent recording an MQTT packet.)
 */
const RECENT_TOPICS = 5000;

export class RecentPublishes {
  private spans = new Map<string, string>();
  private older = new Map<string, string>();
  private readonly causes = new Map<string, string>();

  /**
   * A lab service about to publish on `topic` names the span that caused
   * it (CreateOrder → order.created), for the PUBLISH event's parent.
   */
  expectCause(topic: string, parentSpanId: string): void {
    this.causes.set(topic, parentSpanId);
  }

  takeCause(topic: string): string | undefined {
    if (this.causes.size === 0) return undefined;
    const cause = this.causes.get(topic);
    if (cause !== undefined) this.causes.delete(topic);
    return cause;
  }

  remember(topic: string, spanId: string): void {
    if (this.spans.size >= RECENT_TOPICS) {
      this.older = this.spans;
      this.spans = new Map();
    }
    this.spans.set(topic, spanId);
  }

  spanOf(topic: string): string | undefined {
    return this.spans.get(topic) ?? this.older.get(topic);
  }
}
