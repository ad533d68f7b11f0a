import net from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { TraceHub } from "../trace/trace-hub";
import { tapMqttConnection } from "./connection-tap";
import { ConnectionTrace, type RecentPublishes } from "./packet-observer";

/**
 * MQTT over WebSocket at /mqtt when the lab runs on an external broker
 * (MQTT_URL): each browser connection is piped to the broker's TCP port,
 * and tapped on the way like a connection to the embedded broker, so the
 * page's MQTT traffic is traced either way.
 */
export class WsBridge {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly open = new Set<Duplex>();

  constructor(
    private readonly brokerUrl: URL,
    private readonly hub: TraceHub,
    private readonly publishes: RecentPublishes,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client = createWebSocketStream(ws);
      const upstream = net.connect(Number(this.brokerUrl.port || 1883), this.brokerUrl.hostname);
      this.open.add(client);
      this.open.add(upstream);
      if (this.hub.enabled) tapMqttConnection(client, new ConnectionTrace(this.hub, this.publishes));
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.open.delete(client);
        this.open.delete(upstream);
      };
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  close(): void {
    for (const s of this.open) s.destroy();
    for (const ws of this.wss.clients) ws.terminate();
  }
}
