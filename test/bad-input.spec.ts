import http2 from "node:http2";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventKind } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";

/** Every kind of bad input gets a clear error, and the lab keeps serving. */
let lab: Awaited<ReturnType<typeof startTestLab>>;
const session = "badinput01";
const h = { "x-lab-session": session };

beforeAll(async () => {
  lab = await startTestLab({ MAX_BODY_BYTES: "2048" });
});
afterAll(async () => {
  await lab?.close();
});

async function json(res: Response) {
  return (await res.json()) as { error?: { code: string; message: string }; code?: string; message?: string };
}

describe("REST", () => {
  it("answers malformed JSON with 400 and a message", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/users`, { method: "POST", headers: { ...h, "content-type": "application/json" }, body: '{"name": "x",' });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error?.code).toBe("malformed_json");
    expect(body.error?.message).toMatch(/not valid JSON/);
  });

  it("answers the wrong content type with 415", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/users`, { method: "POST", headers: { ...h, "content-type": "text/plain" }, body: "name=x" });
    expect(res.status).toBe(415);
    expect((await json(res)).error?.message).toContain("application/json");
  });

  it("answers a body over the limit with 413 naming the limit", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/users`, {
      method: "POST",
      headers: { ...h, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(5000), email: "a@b.c" }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error?.message).toContain("2048 bytes (MAX_BODY_BYTES)");
  });

  it("answers an unknown user with 404", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/users/999999`, { headers: h });
    expect(res.status).toBe(404);
    expect((await json(res)).error).toEqual({ code: "not_found", message: "user 999999 not found" });
  });

  it("answers a field of the wrong type with 400 naming the field", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/orders`, { method: "POST", headers: { ...h, "content-type": "application/json" }, body: JSON.stringify({ userId: 1, sku: "sku-book", quantity: "many" }) });
    expect(res.status).toBe(400);
    expect((await json(res)).error?.message).toMatch(/^quantity:/);
  });

  it("answers a bad id, an unknown route and a wrong method clearly", async () => {
    expect((await fetch(`${lab.httpUrl}/rest/users/abc`, { headers: h })).status).toBe(400);
    expect((await fetch(`${lab.httpUrl}/rest/nothing`, { headers: h })).status).toBe(404);
    const res = await fetch(`${lab.httpUrl}/rest/orders`, { headers: h });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("answers an invalid session header with 400", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": "NOT OK!" } });
    expect(res.status).toBe(400);
    expect((await json(res)).error?.message).toContain("x-lab-session");
  });

  it("answers If-None-Match with 304 when the user is unchanged (RFC 9110 §13.1.2)", async () => {
    const first = await fetch(`${lab.httpUrl}/rest/users/2`, { headers: h });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${lab.httpUrl}/rest/users/2`, { headers: { ...h, "if-none-match": etag } });
    expect(again.status).toBe(304);
  });
});

describe("Connect", () => {
  const url = (m: string) => `${lab.httpUrl}/rpc/lab.v1.UserService/${m}`;

  it("answers an unknown user with not_found", async () => {
    const res = await fetch(url("GetUser"), { method: "POST", headers: { ...h, "content-type": "application/json" }, body: '{"id":"777777"}' });
    expect(res.status).toBe(404);
    expect((await json(res)).code).toBe("not_found");
  });

  it("answers bytes that are not protobuf with invalid_argument", async () => {
    const res = await fetch(url("GetUser"), { method: "POST", headers: { ...h, "content-type": "application/proto" }, body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]) });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe("invalid_argument");
  });

  it("answers malformed JSON with invalid_argument", async () => {
    const res = await fetch(url("GetUser"), { method: "POST", headers: { ...h, "content-type": "application/json" }, body: "{oops" });
    expect((await json(res)).code).toBe("invalid_argument");
  });

  it("answers a body over the limit with resource_exhausted", async () => {
    const res = await fetch(url("CreateUser"), { method: "POST", headers: { ...h, "content-type": "application/json" }, body: JSON.stringify({ name: "y".repeat(4000), email: "a@b.c" }) });
    expect((await json(res)).code).toBe("resource_exhausted");
  });

  it("answers an unsupported content type with 415", async () => {
    const res = await fetch(url("GetUser"), { method: "POST", headers: { ...h, "content-type": "text/xml" }, body: "<id>1</id>" });
    expect(res.status).toBe(415);
  });

  it("records the failed call's code in the trace", async () => {
    await expect
      .poll(() => lab.hub.recent(session).some((e) => e.kind === EventKind.RESPONSE_SENT && e.rpc?.code === "invalid_argument"))
      .toBe(true);
  });
});

describe("gRPC over h2c", () => {
  it("answers invalid protobuf with grpc-status 3 (invalid_argument)", async () => {
    const client = http2.connect(lab.grpcUrl);
    try {
      const status = await new Promise<string | undefined>((resolve, reject) => {
        const req = client.request({ ":method": "POST", ":path": "/lab.v1.UserService/GetUser", "content-type": "application/grpc", te: "trailers", "x-lab-session": session });
        let s: string | undefined;
        req.on("response", (headers) => {
          s = headers["grpc-status"] as string | undefined;
        });
        req.on("trailers", (t) => {
          s = (t["grpc-status"] as string | undefined) ?? s;
        });
        req.on("end", () => resolve(s));
        req.on("error", reject);
        req.resume();
        // A 5-byte prefix announcing 4 bytes of garbage (PROTOCOL-HTTP2 Length-Prefixed-Message).
        req.end(Buffer.from([0, 0, 0, 0, 4, 0x0a, 0xff, 0xff, 0xff]));
      });
      expect(status).toBe("3");
    } finally {
      client.close();
    }
  });
});

describe("MQTT", () => {
  it("sends an event a consumer cannot decode to its dead-letter topic, with a trace event", async () => {
    const sub = await mqtt.connectAsync(lab.mqttUrl, { username: session, clientId: "wirelab-node-dlq" });
    const dead: string[] = [];
    sub.on("message", (topic) => dead.push(topic));
    await sub.subscribeAsync(`lab/${session}/dlq/#`, { qos: 1 });
    await sub.publishAsync(`lab/${session}/events/order.created`, Buffer.from([0xde, 0xad, 0xbe, 0xef]), { qos: 1 });
    await expect.poll(() => dead.sort(), { timeout: 5000 }).toEqual([`lab/${session}/dlq/inventory`, `lab/${session}/dlq/notification`]);
    expect(lab.hub.recent(session).filter((e) => e.kind === EventKind.DEAD_LETTER)).toHaveLength(2);
    expect(lab.sandboxes.get(session).counters.inventoryDecrements).toBe(0);
    await sub.endAsync();
  });

  it("refuses a connection without a session as username (CONNACK 5, MQTT 3.1.1 §3.2.2.3)", async () => {
    await expect(mqtt.connectAsync(lab.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/Not authorized/i);
  });

  it("refuses subscriptions outside the session's topics with SUBACK 0x80 (MQTT 3.1.1 §3.9.3)", async () => {
    const c = await mqtt.connectAsync(lab.mqttUrl, { username: session });
    await expect(c.subscribeAsync(["lab/#", "lab/othersession/events/#", `lab/${session}/events/#`], { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect
      .poll(() => lab.hub.recent(session).find((e) => e.mqtt?.packetType === "SUBACK" && e.mqtt.returnCode.includes("128"))?.mqtt?.returnCode)
      .toBe("128, 128, 1");
    await c.endAsync();
  });

  it("closes a client that publishes outside its session, and other sessions never see it", async () => {
    const victim = await mqtt.connectAsync(lab.mqttUrl, { username: "victimsess" });
    const seen: string[] = [];
    victim.on("message", (t) => seen.push(t));
    await victim.subscribeAsync("lab/victimsess/#", { qos: 1 });
    const intruder = await mqtt.connectAsync(lab.mqttUrl, { username: session, reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => intruder.once("close", () => resolve()));
    intruder.publish("lab/victimsess/events/order.created", "x", { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    intruder.end(true);
    await victim.endAsync();
  });

  it("answers an MQTT request for an unknown user on the error topic", async () => {
    const c = await mqtt.connectAsync(lab.mqttUrl, { username: session });
    const replies: Array<[string, string]> = [];
    c.on("message", (t, p) => replies.push([t, p.toString()]));
    await c.subscribeAsync(`lab/${session}/reply/#`, { qos: 1 });
    await c.publishAsync(`lab/${session}/rpc/lab.v1.UserService/GetUser/q1`, '{"id":"31337"}', { qos: 1 });
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(1);
    expect(replies[0][0]).toBe(`lab/${session}/reply/lab.v1.UserService/GetUser/q1/error`);
    expect(JSON.parse(replies[0][1])).toEqual({ code: "not_found", message: "user 31337 not found" });
    await c.endAsync();
  });
});

it("is still up after all of it", async () => {
  const res = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: h });
  expect(res.status).toBe(200);
});

it("records an HTTP/1.1 response's header block as sent, Date and Connection included", async () => {
  const res = await fetch(`${lab.httpUrl}/rest/users/3`, { headers: { "x-lab-session": "headblock1" } });
  expect(res.status).toBe(200);
  await expect.poll(() => lab.hub.recent("headblock1").find((e) => e.kind === EventKind.RESPONSE_SENT && e.from === "Gateway")).toBeTruthy();
  const sent = lab.hub.recent("headblock1").find((e) => e.kind === EventKind.RESPONSE_SENT && e.from === "Gateway")!;
  expect(Object.keys(sent.http!.headers)).toEqual(expect.arrayContaining(["content-type", "etag", "date", "connection"]));
  expect(sent.bytes!.header).toBeGreaterThan(100);
});
