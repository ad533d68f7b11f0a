import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventKind, Mode } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";
import { findBinary, run } from "./helpers/processes";

/**
 * Real tools against a real lab: buf curl in all three RPC protocols, curl,
 * and Mosquitto's command-line clients. Their traffic must land in the
 * session they name.
 */
const buf = path.resolve("node_modules/.bin/buf");
let lab: Awaited<ReturnType<typeof startTestLab>>;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab?.close();
});

describe("buf curl", () => {
  const cases = [
    { protocol: "connect", mode: Mode.CONNECT, url: () => `${lab.httpUrl}/rpc/lab.v1.UserService/GetUser`, extra: [] as string[] },
    { protocol: "grpcweb", mode: Mode.GRPC_WEB, url: () => `${lab.httpUrl}/rpc/lab.v1.UserService/GetUser`, extra: [] },
    { protocol: "grpc", mode: Mode.GRPC, url: () => `${lab.grpcUrl}/lab.v1.UserService/GetUser`, extra: ["--http2-prior-knowledge"] },
  ];
  it.each(cases)("reaches GetUser over $protocol and shows up in the session's trace", async ({ protocol, mode, url, extra }) => {
    const session = `bufcurl${protocol}`;
    const r = await run(buf, ["curl", "--schema", "proto", "--protocol", protocol, ...extra, "-H", `x-lab-session: ${session}`, "-d", '{"id":"123"}', url()]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ user: { id: "123", name: "张三", email: "zhangsan@example.com" } });
    const events = lab.hub.recent(session);
    const received = events.find((e) => e.kind === EventKind.REQUEST_RECEIVED);
    expect(received?.mode).toBe(mode);
    expect(received?.from).toBe("buf curl");
    expect(received?.to).toBe("UserService");
    expect(events.find((e) => e.kind === EventKind.RESPONSE_SENT)?.rpc?.code).toBe("ok");
  });

  it("streams ListUsers over native gRPC", async () => {
    const r = await run(buf, ["curl", "--schema", "proto", "--protocol", "grpc", "--http2-prior-knowledge", "-H", "x-lab-session: bufcurlstream", "-d", '{"limit":3}', `${lab.grpcUrl}/lab.v1.UserService/ListUsers`]);
    const names = r.stdout.match(/"name": "[^"]+"/g);
    expect(names).toEqual(['"name": "Ada Lovelace"', '"name": "Grace Hopper"', '"name": "Alan Turing"']);
    expect(lab.hub.recent("bufcurlstream").filter((e) => e.kind === EventKind.STREAM_MESSAGE)).toHaveLength(3);
  });

  it("gets not_found as a typed error", async () => {
    const r = await run(buf, ["curl", "--schema", "proto", "--protocol", "grpc", "--http2-prior-knowledge", "-H", "x-lab-session: bufcurlerror", "-d", '{"id":"5"}', `${lab.grpcUrl}/lab.v1.UserService/GetUser`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not_found");
  });
});

describe("curl", () => {
  const curl = findBinary("curl");
  it.runIf(curl)("creates an order through the REST gateway", async () => {
    const r = await run(curl!, ["-s", "-i", "-H", "x-lab-session: curlsession", "-H", "content-type: application/json", "-d", '{"userId":1,"sku":"sku-tee","quantity":2}', `${lab.httpUrl}/rest/orders`]);
    expect(r.stdout).toMatch(/^HTTP\/1.1 201 Created/);
    const events = lab.hub.recent("curlsession");
    expect(events.find((e) => e.kind === EventKind.REQUEST_RECEIVED)?.from).toBe("curl");
    await expect.poll(() => lab.sandboxes.get("curlsession").stock.get("sku-tee")).toBe(998);
  });
});

describe("mosquitto_pub and mosquitto_sub", () => {
  const pub = findBinary("mosquitto_pub");
  const sub = findBinary("mosquitto_sub");
  it.runIf(pub && sub)("ask GetUser over MQTT request/reply and show up in the trace", async () => {
    const session = "mosquittoreq";
    const port = String(lab.ports.mqtt);
    const waiting = run(sub!, ["-h", "127.0.0.1", "-p", port, "-u", session, "-i", `mosquitto_sub-${session}`, "-q", "1", "-t", `lab/${session}/reply/#`, "-C", "1", "-W", "10", "-v"]);
    await new Promise((r) => setTimeout(r, 300));
    const p = await run(pub!, ["-h", "127.0.0.1", "-p", port, "-u", session, "-i", `mosquitto_pub-${session}`, "-q", "1", "-t", `lab/${session}/rpc/lab.v1.UserService/GetUser/c1`, "-m", '{"id":"123"}']);
    expect(p.code).toBe(0);
    const reply = await waiting;
    expect(reply.stdout).toContain(`lab/${session}/reply/lab.v1.UserService/GetUser/c1`);
    expect(reply.stdout).toContain("张三");
    const packets = lab.hub.recent(session).filter((e) => e.kind === EventKind.MQTT_PACKET);
    expect(packets.some((e) => e.from === "mosquitto_pub" && e.mqtt?.packetType === "PUBLISH" && e.mqtt.qos === 1)).toBe(true);
    expect(packets.some((e) => e.to === "mosquitto_pub" && e.mqtt?.packetType === "PUBACK")).toBe(true);
    expect(packets.some((e) => e.to === "mosquitto_sub" && e.mqtt?.packetType === "PUBLISH" && e.mqtt.qos === 1)).toBe(true);
    expect(packets.some((e) => e.from === "mosquitto_sub" && e.mqtt?.packetType === "PUBACK")).toBe(true);
    expect(packets.some((e) => e.from === "UserService" && e.mqtt?.packetType === "PUBLISH")).toBe(true);
  });

  it.runIf(pub)("is refused outside its session (CONNACK 5 without a session username)", async () => {
    const r = await run(pub!, ["-h", "127.0.0.1", "-p", String(lab.ports.mqtt), "-t", "lab/x/y", "-m", "hi"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed/i);
  });
});
