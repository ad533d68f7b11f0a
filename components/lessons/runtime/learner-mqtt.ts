"use client";

import { fromBinary } from "@bufbuild/protobuf";
import mqtt, { type MqttClient } from "mqtt";
import { OrderCreatedSchema } from "@/lib/gen/lab/v1/order_pb";
import { sessionPrefix } from "@/lib/topics";

/** Messages a learner client keeps for its widget. */
const KEEP_MESSAGES = 50;
/** How long a CONNECT may wait for its CONNACK, in ms. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How soon a client that reconnects by itself tries again after losing its connection, in ms (MQTT.js's default). */
const RECONNECT_PERIOD_MS = 1_000;

export interface ConnectOptions {
  /** CleanSession (MQTT 3.1.1 §3.1.2.4). */
  clean: boolean;
  /** The name in its client id, `wirelab-as-<as>-<session>` (default: the client's own name). */
  as?: string;
  /** Reconnect by itself after a lost connection, every RECONNECT_PERIOD_MS. */
  reconnect?: boolean;
}

export interface ReceivedMessage {
  /** Relative to lab/<session>/. */
  topic: string;
  /** The payload as text, or a one-line reading of an OrderCreated. */
  text: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

export interface LearnerMqttState {
  online: boolean;
  /** CleanSession of the last CONNECT (MQTT 3.1.1 §3.1.2.4). */
  clean: boolean;
  /** The name its client id carries (its lifeline), when it is not its own. */
  as?: string;
  /** It reconnects by itself (and is trying to, while offline). */
  reconnect?: boolean;
  /** Session Present of the last CONNACK (§3.2.2.2). */
  sessionPresent?: boolean;
  /** Topic filters subscribed since the last CONNECT (relative). */
  subscriptions: string[];
  messages: ReceivedMessage[];
  error?: string;
}

function readPayload(topic: string, payload: Uint8Array): string {
  if (topic === "events/order.created") {
    try {
      const e = fromBinary(OrderCreatedSchema, payload);
      if (e.order) return `${e.order.id} · ${e.order.sku} ×${e.order.quantity} · user ${e.order.userId}`;
    } catch {
      // Not protobuf: someone published text there; show it as text.
    }
  }
  const text = new TextDecoder().decode(payload);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * An MQTT client the learner drives by hand — connect (clean or
 * persistent session), subscribe, publish, disconnect — over the page's
 * WebSocket to the broker, logged in with the session. Its client id
 * `wirelab-as-<Name>-<session>` makes it a lifeline named <Name> in the
 * diagram. It never reconnects by itself (offline means offline) unless
 * asked to, as a service would; and it may connect with another name's
 * client id, to show two instances sharing one id (MQTT 3.1.1 §3.1.4).
 */
export class LearnerMqttClient {
  private client: MqttClient | undefined;
  state: LearnerMqttState = { online: false, clean: true, subscriptions: [], messages: [] };

  constructor(
    readonly name: string,
    private readonly session: string,
    private readonly url: string,
    private readonly changed: () => void,
  ) {}

  private set(patch: Partial<LearnerMqttState>): void {
    this.state = { ...this.state, ...patch };
    this.changed();
  }

  private get prefix(): string {
    return sessionPrefix(this.session);
  }

  /** CONNECT with CleanSession = `clean`; resolves on the first CONNACK (a connected client disconnects first). */
  async connect({ clean, as, reconnect = false }: ConnectOptions): Promise<void> {
    if (this.client) await this.disconnect();
    const client = mqtt.connect(this.url, {
      clientId: `wirelab-as-${as ?? this.name}-${this.session}`,
      username: this.session,
      protocolVersion: 4,
      clean,
      reconnectPeriod: reconnect ? RECONNECT_PERIOD_MS : 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    this.client = client;
    client.on("message", (topic, payload, packet) => {
      const relative = topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
      const message: ReceivedMessage = { topic: relative, text: readPayload(relative, payload), qos: packet.qos, retain: packet.retain, dup: packet.dup };
      this.set({ messages: [message, ...this.state.messages].slice(0, KEEP_MESSAGES) });
    });
    client.on("close", () => {
      if (this.client === client) this.set({ online: false });
    });
    const named = as !== undefined && as !== this.name ? as : undefined;
    await new Promise<void>((resolve, reject) => {
      let first = true;
      // Every CONNACK, the first and those of reconnects.
      client.on("connect", (connack) => {
        if (this.client !== client) return;
        this.set({ online: true, clean, as: named, reconnect, sessionPresent: connack.sessionPresent, subscriptions: first ? [] : this.state.subscriptions, error: undefined });
        if (first) resolve();
        first = false;
      });
      client.on("error", (err) => {
        if (first) {
          client.end(true);
          if (this.client === client) this.client = undefined;
          this.set({ online: false, error: err.message });
          reject(err);
        } else if (this.client === client) this.set({ error: err.message });
      });
    });
  }

  /** DISCONNECT (MQTT 3.1.1 §3.14): a clean goodbye; a persistent session stays at the broker. */
  async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.endAsync().catch(() => undefined);
    this.set({ online: false, reconnect: false });
  }

  private connected(): MqttClient {
    if (!this.client?.connected) throw new Error(`${this.name} is offline: connect it first`);
    return this.client;
  }

  async subscribe(topic: string, qos: 0 | 1 | 2): Promise<void> {
    const granted = await this.connected().subscribeAsync(this.prefix + topic, { qos });
    if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${topic} (SUBACK 0x80)`);
    if (!this.state.subscriptions.includes(topic)) this.set({ subscriptions: [...this.state.subscriptions, topic] });
  }

  async publish(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    await this.connected().publishAsync(this.prefix + topic, payload, { qos, retain });
  }

  close(): void {
    this.client?.end(true);
    this.client = undefined;
  }
}
