import mqtt, { type MqttClient } from "mqtt";
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
}

/**
 * Connects one of the lab's own services to the broker over a real socket
 * and resolves once CONNACK arrived. On an external broker its packets are
 * traced from the client side with the same observer the embedded broker uses.
 */
export async function connectLabClient(opts: LabClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(opts.url, {
    clientId: opts.clientId,
    username: INTERNAL_USERNAME,
    password: opts.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: LAB_CLIENT_DEFAULTS.reconnectPeriodMs,
    connectTimeout: LAB_CLIENT_DEFAULTS.connectTimeoutMs,
    keepalive: LAB_CLIENT_DEFAULTS.keepaliveSeconds,
  });
  if (opts.traceClientSide && opts.hub.enabled) {
    const trace = new ConnectionTrace(opts.hub, opts.publishes);
    trace.identify(opts.clientId);
    const observe = (direction: "to-broker" | "from-broker") => (packet: Packet) => {
      trace.observe(packet, direction, mqttPacket.generate(packet, { protocolVersion: 4 }));
    };
    client.on("packetsend", observe("to-broker"));
    client.on("packetreceive", observe("from-broker"));
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      client.end(true);
      reject(new Error(`MQTT client ${opts.clientId} could not connect to ${opts.url}: ${err.message}`));
    };
    client.once("connect", () => {
      noDelay(client);
      client.off("error", onError);
      resolve();
    });
    client.once("error", onError);
  });
  client.on("error", () => {});
  return client;
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
