import mqtt, { Store, type MqttClient } from "mqtt";
import mqttPacket, { type Packet } from "mqtt-packet";
import type { TraceHub } from "../trace/trace-hub";
import { INTERNAL_USERNAME } from "./embedded-broker";
import { ConnectionTrace, type RecentPublishes } from "./packet-observer";

/** Defaults of the lab's own MQTT clients, in one place. */
export const LAB_CLIENT_DEFAULTS = {
  reconnectPeriodMs: 500, // retry a lost broker twice a second
  connectTimeoutMs: 10_000,
  keepaliveSeconds: 30,
} as const;

export interface LabClientOptions {
  url: string;
  clientId: string;
  password: string | undefined;
  hub: TraceHub;
  publishes: RecentPublishes;
  /**
   * Trace this client's own packets (on an external broker, where the lab
   * cannot watch the broker's connections).
   */
  traceClientSide: boolean;
  /** CleanSession (MQTT 3.1.1 §3.1.2.4); default true. */
  clean?: boolean;
  keepaliveSeconds?: number;
  /**
   * Keep trying through refusals and lost connections until the first
   * CONNACK, up to this long (a session's broker may be down); by default
   * the first failure rejects.
   */
  patienceMs?: number;
}

/**
 * Connects one of the lab's own services to the broker over a real socket
 * and resolves once CONNACK arrived. On an external broker its packets are
 * traced from the client side with the same observer the embedded broker uses.
 */
export async function connectLabClient(opts: LabClientOptions): Promise<MqttClient> {
  const outgoingStore = new ResendStore();
  const client = mqtt.connect(opts.url, {
    outgoingStore,
    clientId: opts.clientId,
    username: INTERNAL_USERNAME,
    password: opts.password,
    protocolVersion: 4,
    clean: opts.clean ?? true,
    reconnectPeriod: LAB_CLIENT_DEFAULTS.reconnectPeriodMs,
    connectTimeout: LAB_CLIENT_DEFAULTS.connectTimeoutMs,
    keepalive: opts.keepaliveSeconds ?? LAB_CLIENT_DEFAULTS.keepaliveSeconds,
    // A refused CONNECT (e.g. return code 3 during an outage) is retried like a lost connection.
    reconnectOnConnackError: true,
  });
  outgoingStore.watch(client);
  if (opts.traceClientSide && opts.hub.enabled) {
    const trace = new ConnectionTrace(opts.hub, opts.publishes);
    trace.identify(opts.clientId);
    // The client hands over packet objects: the trace reads their bytes, as on the broker side.
    const observe = (direction: "to-broker" | "from-broker") => (packet: Packet) => {
      trace.observe(mqttPacket.generate(packet, { protocolVersion: 4 }), direction);
    };
    client.on("packetsend", observe("to-broker"));
    client.on("packetreceive", observe("from-broker"));
  }
  await new Promise<void>((resolve, reject) => {
    let lastError = "no answer";
    const fail = (why: string) => {
      clearTimeout(timer);
      client.end(true);
      reject(new Error(`MQTT client ${opts.clientId} could not connect to ${opts.url}: ${why}`));
    };
    const onError = (err: Error) => {
      lastError = err.message;
      if (opts.patienceMs === undefined) fail(err.message);
    };
    const timer = opts.patienceMs === undefined ? undefined : setTimeout(() => fail(`${lastError} (gave up after ${opts.patienceMs} ms)`), opts.patienceMs);
    client.once("connect", () => {
      clearTimeout(timer);
      noDelay(client);
      client.off("error", onError);
      resolve();
    });
    client.on("error", onError);
  });
  client.on("error", () => {});
  return client;
}

/**
 * The lab's clients' outgoing store, which marks re-sends. After a
 * reconnect MQTT.js sends the QoS > 0 PUBLISHes still unacknowledged again,
 * with their Packet Identifiers (MQTT 3.1.1 §4.4), but as it stored them,
 * with DUP=0 (mqttjs/MQTT.js#692); §3.3.1.1 says a re-delivery MUST carry
 * DUP=1. A PUBLISH this client already wrote once goes out with DUP=1; one
 * that never left (published while the broker was away) keeps DUP=0.
 */
class ResendStore extends Store {
  /** Packet Identifiers of QoS > 0 PUBLISHes written and not yet acknowledged (PUBACK, or PUBREC for QoS 2). */
  private readonly written = new Set<number>();

  watch(client: MqttClient): void {
    client.on("packetsend", (p) => {
      if (p.cmd === "publish" && p.qos > 0 && p.messageId !== undefined) this.written.add(p.messageId);
    });
    client.on("packetreceive", (p) => {
      if ((p.cmd === "puback" || p.cmd === "pubrec") && p.messageId !== undefined) this.written.delete(p.messageId);
    });
  }

  override createStream(): ReturnType<Store["createStream"]> {
    const stream = super.createStream();
    const read = stream.read.bind(stream);
    stream.read = (size?: number) => {
      const p = read(size) as Packet | null;
      return p?.cmd === "publish" && p.qos > 0 && p.messageId !== undefined && this.written.has(p.messageId) ? { ...p, dup: true } : p;
    };
    return stream;
  }
}

/** Turns off Nagle on a client's TCP socket (and again after each reconnect). */
export function noDelay(client: MqttClient): void {
  const set = () => (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true);
  set();
  client.on("connect", set);
}

/** Publishes and resolves when the broker acknowledged (or wrote, for QoS 0). */
export function publishAsync(client: MqttClient, topic: string, payload: Uint8Array | string, qos: 0 | 1 | 2): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(topic, Buffer.from(payload), { qos }, (err) => (err ? reject(err) : resolve()));
  });
}

export function subscribeAsync(client: MqttClient, topic: string, qos: 0 | 1 | 2): Promise<void> {
  return new Promise((resolve, reject) => {
    client.subscribe(topic, { qos }, (err, granted) => {
      if (err) return reject(err);
      if (granted?.some((g) => g.qos === 128)) return reject(new Error(`subscription to ${topic} refused`));
      resolve();
    });
  });
}
