import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { createNodeLabClient } from "../lib/client/node";
import { EventKind } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";
import { startMosquitto } from "./helpers/processes";

/** MQTT_URL: the lab on a real Mosquitto the test starts on a free port. */
let broker: Awaited<ReturnType<typeof startMosquitto>>;
let lab: Awaited<ReturnType<typeof startTestLab>>;

beforeAll(async () => {
  broker = await startMosquitto();
  lab = await startTestLab({ MQTT_URL: broker.url });
});
afterAll(async () => {
  await lab?.close();
  await broker?.stop();
});

describe("on an external broker", () => {
  it("fans an order out to both consumers through Mosquitto", async () => {
    const session = "externalord";
    const client = await createNodeLabClient({ mode: "rest", baseUrl: lab.httpUrl, session, participant: "Node client" });
    const r = await client.createOrder({ userId: 1n, sku: "sku-book", quantity: 4 });
    expect(r.status).toBe("201");
    const box = lab.sandboxes.get(session);
    await expect.poll(() => box.stock.get("sku-book"), { timeout: 5000 }).toBe(996);
    await expect.poll(() => box.counters.notificationsSent).toBe(1);
    // The lab's own clients trace their packets from the client side.
    const packets = lab.hub.recent(session).filter((e) => e.kind === EventKind.MQTT_PACKET);
    expect(packets.some((e) => e.from === "OrderService" && e.mqtt?.packetType === "PUBLISH")).toBe(true);
    expect(packets.some((e) => e.to === "OrderService" && e.mqtt?.packetType === "PUBACK")).toBe(true);
    expect(packets.some((e) => e.to === "Inventory" && e.mqtt?.packetType === "PUBLISH")).toBe(true);
  });

  it("answers MQTT request/reply for a plain client of the external broker", async () => {
    const session = "externalrpc";
    lab.sandboxes.get(session);
    const c = await createNodeLabClient({ mode: "mqtt", baseUrl: lab.httpUrl, mqttUrl: broker.url, session, participant: "Node client" });
    const r = await c.getUser(123n);
    expect(r.status).toBe("ok");
    expect(r.value?.name).toBe("张三");
    await c.close();
  });

  it("bridges MQTT over WebSocket at /mqtt to the external broker, traced", async () => {
    const session = "externalwsb";
    lab.sandboxes.get(session);
    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${lab.ports.http}/mqtt`, { username: session, clientId: "wirelab-browser-bridge" });
    await ws.subscribeAsync(`lab/${session}/events/#`, { qos: 1 });
    await ws.endAsync();
    await expect
      .poll(() => lab.hub.recent(session).some((e) => e.from === "Browser" && e.mqtt?.packetType === "SUBSCRIBE"))
      .toBe(true);
  });
});
