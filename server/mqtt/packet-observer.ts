import type { Packet } from "mqtt-packet";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { newSpanId } from "../../lib/trace";
import { parseTopic, sessionOfTopic } from "../../lib/topics";
import { SESSION_ID } from "../sandbox/sandbox";
import { WIRE_PREVIEW_BYTES, type TraceHub } from "../trace/trace-hub";
import { BROKER, messageTypeForTopic, participantForClientId, sessionOfServiceClient } from "./participants";


/** Which way a packet went: client → broker or broker → client. */
export type PacketDirection = "to-broker" | "from-broker";

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
  /** Packet Identifier → session and span, per direction (ids are per direction). */
  private readonly flows = new Map<string, { session: string; spanId: string; parent: string }>();

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

  /** Records one packet that crossed this connection, with its exact bytes. */
  observe(packet: Packet, direction: PacketDirection, raw: Uint8Array): void {
    if (packet.cmd === "connect") {
      this.identify(packet.clientId);
      if (packet.username !== undefined && SESSION_ID.test(packet.username)) this.session = packet.username;
      else this.session = sessionOfServiceClient(packet.clientId);
    }
    const type = packet.cmd.toUpperCase();
    const packetId = packet.messageId ?? 0;
    let session = this.session;
    let topic = "";
    let qos = 0;
    let dup = false;
    let retain = false;
    let returnCode = "";
    let body = 0;
    let spanId = "";
    let parentSpanId = "";
    let messageType = "";
    // Acks flow the other way from their PUBLISH: PUBACK/PUBREC/PUBCOMP
    // answer a PUBLISH sent in the opposite direction, PUBREL one sent in
    // the same direction (MQTT 3.1.1 §4.3.3).
    const publishDirection = (d: PacketDirection) => (d === "to-broker" ? "from-broker" : "to-broker");
    switch (packet.cmd) {
      case "publish": {
        topic = packet.topic;
        qos = packet.qos;
        dup = packet.dup;
        retain = packet.retain;
        body = typeof packet.payload === "string" ? Buffer.byteLength(packet.payload) : packet.payload.length;
        session ??= sessionOfTopic(topic);
        const parsed = parseTopic(topic);
        messageType = parsed ? messageTypeForTopic(parsed.rest) : "";
        spanId = newSpanId();
        if (direction === "to-broker") {
          parentSpanId = this.publishes.takeCause(topic) ?? "";
          this.publishes.remember(topic, spanId);
        } else {
          parentSpanId = this.publishes.spanOf(topic) ?? "";
        }
        // Request/reply: the correlation id in the topic is the caller's
        // span, so the whole exchange forms one span tree.
        if (parsed && (parsed.rest[0] === "rpc" || parsed.rest[0] === "reply") && parsed.rest.length >= 4 && direction === "to-broker") {
          parentSpanId = parsed.rest[3];
        }
        if (session !== undefined && qos > 0) {
          this.flows.set(`${direction}:${packetId}`, { session, spanId, parent: parentSpanId });
        }
        break;
      }
      case "puback":
      case "pubrec":
      case "pubcomp":
      case "pubrel": {
        const key = packet.cmd === "pubrel" ? `${direction}:${packetId}` : `${publishDirection(direction)}:${packetId}`;
        const flow = this.flows.get(key);
        if (flow) {
          session ??= flow.session;
          spanId = flow.spanId;
          parentSpanId = flow.parent;
          if (packet.cmd === "puback" || packet.cmd === "pubcomp") this.flows.delete(key);
        }
        break;
      }
      case "connack":
        returnCode = String(packet.returnCode ?? packet.reasonCode ?? 0);
        break;
      case "subscribe": {
        const topics = packet.subscriptions.map((s) => s.topic);
        topic = topics.join(", ");
        qos = packet.subscriptions[0]?.qos ?? 0;
        session ??= topics.map(sessionOfTopic).find((s) => s !== undefined);
        break;
      }
      case "suback":
        returnCode = packet.granted.map((g) => (typeof g === "number" ? g : (g as { qos: number }).qos)).join(", ");
        break;
      case "unsubscribe":
        topic = packet.unsubscriptions.join(", ");
        session ??= packet.unsubscriptions.map(sessionOfTopic).find((s) => s !== undefined);
        break;
    }
    if (session === undefined) return;
    const toBroker = direction === "to-broker";
    const shortTopic = topic.startsWith(`lab/${session}/`) ? topic.slice(`lab/${session}/`.length) : topic;
    this.hub.emit({
      session,
      spanId: spanId || newSpanId(),
      parentSpanId,
      from: toBroker ? this.participant : BROKER,
      to: toBroker ? BROKER : this.participant,
      observer: BROKER,
      mode: Mode.MQTT,
      kind: EventKind.MQTT_PACKET,
      summary: summaryOf(type, shortTopic, packetId, returnCode),
      bytes: { header: raw.length - body, body, framing: 0 },
      mqtt: { packetType: type, topic, qos, dup, retain, packetId, clientId: this.clientId, returnCode, messageType },
      wire: raw.length > WIRE_PREVIEW_BYTES ? raw.subarray(0, WIRE_PREVIEW_BYTES) : raw,
      wireTruncated: raw.length > WIRE_PREVIEW_BYTES,
    });
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
 */
export class RecentPublishes {
  private readonly spans = new Map<string, string>();
  private readonly causes = new Map<string, string>();

  /**
   * A lab service about to publish on `topic` names the span that caused
   * it (CreateOrder → order.created), for the PUBLISH event's parent.
   */
  expectCause(topic: string, parentSpanId: string): void {
    this.causes.set(topic, parentSpanId);
  }

  takeCause(topic: string): string | undefined {
    const cause = this.causes.get(topic);
    if (cause !== undefined) this.causes.delete(topic);
    return cause;
  }

  remember(topic: string, spanId: string): void {
    this.spans.delete(topic);
    this.spans.set(topic, spanId);
    if (this.spans.size > 10_000) {
      const oldest = this.spans.keys().next().value;
      if (oldest !== undefined) this.spans.delete(oldest);
    }
  }

  spanOf(topic: string): string | undefined {
    return this.spans.get(topic);
  }
}
