import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventKind, type TraceEvent } from "../lib/gen/lab/v1/trace_pb";
import { ALL_MODES, createNodeLabClient, type LabClient, type ModeName } from "../lib/client/node";
import { startTestLab } from "./helpers/lab";

/**
 * One contract, run once per mode (as MQTT.js runs abstractClientTests per
 * transport): the same calls give the same answers over REST, Connect,
 * gRPC-web, gRPC and MQTT, against a real lab on loopback.
 */
let lab: Awaited<ReturnType<typeof startTestLab>>;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab?.close();
});

const notFound: Record<ModeName, string> = { rest: "404", connect: "not_found", "grpc-web": "not_found", grpc: "not_found", mqtt: "not_found" };
const ok: Record<ModeName, string> = { rest: "200", connect: "ok", "grpc-web": "ok", grpc: "ok", mqtt: "ok" };

describe.each(ALL_MODES)("mode %s", (mode) => {
  let client: LabClient;
  const session = `contract${mode.replace("-", "")}`;
  const local: TraceEvent[] = [];
  beforeAll(async () => {
    client = await createNodeLabClient({
      mode,
      baseUrl: lab.httpUrl,
      grpcUrl: lab.grpcUrl,
      mqttUrl: lab.mqttUrl,
      session,
      participant: "Node client",
      onEvent: (e) => local.push(e),
    });
  });
  afterAll(async () => {
    await client?.close();
  });

  it("gets a seeded user", async () => {
    const r = await client.getUser(123n);
    expect(r.status).toBe(ok[mode]);
    expect(r.value?.name).toBe("张三");
    expect(r.value?.email).toBe("zhangsan@example.com");
    expect(r.responseBytes).toBeGreaterThan(0);
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("reports a missing user as not found", async () => {
    const r = await client.getUser(424242n);
    expect(r.ok).toBe(false);
    expect(r.status).toBe(notFound[mode]);
    expect(r.error).toContain("424242");
  });

  it("creates a user that it can then read", async () => {
    const created = await client.createUser("Lin", "lin@example.com");
    expect(created.ok).toBe(true);
    const id = created.value!.id;
    expect(id).toBeGreaterThanOrEqual(1000n);
    const read = await client.getUser(id);
    expect(read.value?.name).toBe("Lin");
  });

  it("rejects an invalid user", async () => {
    const r = await client.createUser("", "not-an-email");
    expect(r.ok).toBe(false);
    expect(["400", "invalid_argument"]).toContain(r.status);
  });

  it("streams every user in id order", async () => {
    const seen: bigint[] = [];
    const r = await client.listUsers({ onUser: (u) => seen.push(u.id) });
    expect(r.ok).toBe(true);
    expect(seen.slice(0, 4)).toEqual([1n, 2n, 3n, 123n]);
  });

  it("creates an order that both consumers apply", async () => {
    const r = await client.createOrder({ userId: 1n, sku: "sku-mug", quantity: 3 });
    expect(r.ok).toBe(true);
    expect(r.value?.status).toBe("accepted");
    const box = lab.sandboxes.get(session);
    await expect.poll(() => box.counters.inventoryDecrements, { timeout: 5000 }).toBe(1);
    await expect.poll(() => box.counters.notificationsSent, { timeout: 5000 }).toBe(1);
    expect(box.stock.get("sku-mug")).toBe(997);
  });

  it("traces the calls in the caller's session, with both ends of a hop sharing a span", async () => {
    const r = await client.getUser(2n);
    await expect.poll(() => lab.hub.recent(session).some((e) => e.spanId === r.spanId || e.mqtt?.topic.endsWith(r.spanId)), { timeout: 3000 }).toBe(true);
    const events = lab.hub.recent(session);
    expect(events.every((e) => e.session === session)).toBe(true);
    expect(local.some((e) => e.kind === EventKind.REQUEST_SENT && e.spanId === r.spanId)).toBe(true);
    if (mode === "mqtt") {
      const packets = events.filter((e) => e.kind === EventKind.MQTT_PACKET);
      expect(packets.some((e) => e.mqtt?.packetType === "PUBLISH" && e.mqtt.topic.includes("/rpc/lab.v1.UserService/GetUser/"))).toBe(true);
      expect(packets.some((e) => e.mqtt?.packetType === "PUBACK")).toBe(true);
    } else {
      const server = events.filter((e) => e.spanId === r.spanId);
      expect(server.map((e) => e.kind)).toEqual([EventKind.REQUEST_RECEIVED, EventKind.RESPONSE_SENT]);
      const resp = server[1];
      expect(resp.bytes!.header).toBeGreaterThan(0);
      expect(resp.bytes!.body).toBeGreaterThan(0);
      expect(resp.from).toBe(mode === "rest" ? "Gateway" : "UserService");
      expect(resp.to).toBe("Node client");
    }
  });
});
