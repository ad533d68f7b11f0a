import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventKind, Mode, TraceEventSchema, type TraceEvent } from "../gen/lab/v1/trace_pb";
import { clientCallGroups, clientCalls, counterDelta, goals, isSuccess, mqttPackets, passed, processedBy, restCallName, serverExchanges } from "./trace-query";
import { OutcomeCountersSchema } from "../gen/lab/v1/fault_pb";

let seq = 0n;
let t = 1_000;
/** A server event (seq > 0) or, with `client`, a browser event (seq 0). */
function ev(init: Parameters<typeof create<typeof TraceEventSchema>>[1], client = false): TraceEvent {
  t += 5;
  return create(TraceEventSchema, { session: "s", timeUnixMs: t, seq: client ? 0n : ++seq, ...init });
}

/** A REST GET handled by the gateway, with its gRPC child hop; `status` as the gateway answered. */
function restGet(path: string, status: number, opts: { body?: number; childCode?: string } = {}): TraceEvent[] {
  const span = `rest${seq}`;
  const child = `grpc${seq}`;
  return [
    ev({ spanId: span, kind: EventKind.REQUEST_SENT, mode: Mode.REST, from: "Browser", to: "Gateway", summary: `GET ${path}` }, true),
    ev({ spanId: span, kind: EventKind.REQUEST_RECEIVED, mode: Mode.REST, from: "Browser", to: "Gateway", http: { method: "GET", path } }),
    ev({ spanId: child, parentSpanId: span, kind: EventKind.REQUEST_RECEIVED, mode: Mode.GRPC, from: "Gateway", to: "UserService", rpc: { method: "GetUser" }, http: { method: "POST", path: "/lab.v1.UserService/GetUser" } }),
    ev({ spanId: child, parentSpanId: span, kind: EventKind.RESPONSE_SENT, mode: Mode.GRPC, from: "UserService", to: "Gateway", rpc: { method: "GetUser", code: opts.childCode ?? "ok" }, http: { status: 200 } }),
    ev({ spanId: span, kind: EventKind.RESPONSE_SENT, mode: Mode.REST, from: "Gateway", to: "Browser", http: { method: "GET", path, status }, bytes: { header: 200, body: opts.body ?? 56 } }),
    ev({ spanId: span, kind: EventKind.RESPONSE_RECEIVED, mode: Mode.REST, from: "Gateway", to: "Browser", summary: String(status), durationMs: 3, bytes: { body: opts.body ?? 56 } }, true),
  ];
}

describe("restCallName", () => {
  it("maps REST request lines to the calls the gateway makes", () => {
    expect(restCallName("GET", "/rest/users/1")).toBe("GetUser");
    expect(restCallName("POST", "/rest/users")).toBe("CreateUser");
    expect(restCallName("GET", "/rest/users")).toBe("ListUsers");
    expect(restCallName("PUT", "/rest/users/7")).toBe("UpdateUser");
    expect(restCallName("DELETE", "/rest/users/7")).toBe("DeleteUser");
    expect(restCallName("POST", "/rest/orders")).toBe("CreateOrder");
    expect(restCallName("PATCH", "/rest/users/7")).toBeUndefined();
  });

  it("knows success", () => {
    expect(isSuccess("ok")).toBe(true);
    expect(isSuccess("201")).toBe(true);
    expect(isSuccess("304")).toBe(false);
    expect(isSuccess("not_found")).toBe(false);
  });
});

describe("clientCalls and serverExchanges", () => {
  const events = [...restGet("/rest/users/1", 200), ...restGet("/rest/users/1", 304, { body: 0 })];

  it("pairs the page's own events by span, with the call, status and bytes", () => {
    const calls = clientCalls(events, { mode: "rest", call: "GetUser" });
    expect(calls.map((c) => c.status)).toEqual(["200", "304"]);
    expect(clientCalls(events, { status: /^3/ })).toHaveLength(1);
    expect(clientCalls(events, { mode: "connect" })).toEqual([]);
  });

  it("pairs the servers' events, edge and inner hops apart", () => {
    const edge = serverExchanges(events, { mode: "rest", path: "/rest/users/1" });
    expect(edge.map((x) => [x.call, x.httpStatus, x.responseBodyBytes])).toEqual([
      ["GetUser", 200, 56],
      ["GetUser", 304, 0],
    ]);
    const inner = serverExchanges(events, { mode: "grpc", from: "Gateway" });
    expect(inner).toHaveLength(2);
    expect(inner[0].parentSpanId).toBe(edge[0].spanId);
    expect(inner[0].code).toBe("ok");
    expect(edge[0].lastSeq < edge[1].firstSeq).toBe(true);
  });

  it("leaves out unfinished exchanges unless asked, and marks broken ones", () => {
    const open = [ev({ spanId: "x", kind: EventKind.REQUEST_RECEIVED, mode: Mode.CONNECT, from: "Browser", to: "UserService", rpc: { method: "ListUsers" } })];
    expect(serverExchanges(open)).toEqual([]);
    expect(serverExchanges(open, { finished: false })).toHaveLength(1);
    const broken = [
      ...open,
      ev({ spanId: "x", kind: EventKind.STREAM_MESSAGE, mode: Mode.CONNECT, from: "UserService", to: "Browser" }),
      ev({ spanId: "x", kind: EventKind.FAULT, mode: Mode.CONNECT, fault: { kind: "limit_data" } }),
      ev({ spanId: "x", kind: EventKind.ERROR, mode: Mode.CONNECT, from: "UserService", to: "Browser", http: { status: 200 } }),
    ];
    const [x] = serverExchanges(broken);
    expect([x.broken, x.streamMessages, x.faults, x.httpStatus]).toEqual([true, 1, ["limit_data"], 0]);
  });
});

describe("mqttPackets and processedBy", () => {
  const events = [
    ev({ kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, from: "OrderService", to: "Broker", mqtt: { packetType: "PUBLISH", topic: "lab/s/events/order.created", qos: 1 } }),
    ev({ kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, from: "Broker", to: "Inventory", mqtt: { packetType: "PUBLISH", topic: "lab/s/events/order.created", qos: 1, retain: false } }),
    ev({ kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, from: "Broker", to: "Dashboard", mqtt: { packetType: "PUBLISH", topic: "lab/s/status/shop", retain: true } }),
    ev({ kind: EventKind.PROCESSED, mode: Mode.LOCAL, from: "Inventory", to: "Inventory", summary: "stock sku-book 1000→999" }),
  ];

  it("filters by type, direction, topic (relative or a pattern) and flags", () => {
    expect(mqttPackets(events, { type: "PUBLISH", topic: "events/order.created" })).toHaveLength(2);
    expect(mqttPackets(events, { from: "Broker", to: "Inventory" })).toHaveLength(1);
    expect(mqttPackets(events, { retain: true, topic: /status\// })).toHaveLength(1);
    expect(mqttPackets(events, { topic: "order.created" })).toHaveLength(0);
    expect(processedBy(events, "Inventory")).toHaveLength(1);
    expect(processedBy(events, "Notification")).toHaveLength(0);
  });
});

describe("goals and counters", () => {
  it("passes when every item is done", () => {
    const l = { en: "x", "zh-CN": "x" };
    expect(passed(goals([[l, true], [l, true]]))).toBe(true);
    const r = goals([[l, true], [l, false]]);
    expect(passed(r)).toBe(false);
    expect(typeof r === "object" && r.items?.map((i) => i.done)).toEqual([true, false]);
    expect(passed(true)).toBe(true);
  });

  it("counts what grew since the step opened", () => {
    const before = create(OutcomeCountersSchema, { ordersAccepted: 2n });
    const now = create(OutcomeCountersSchema, { ordersAccepted: 5n });
    expect(counterDelta(now, before, "ordersAccepted")).toBe(3);
    expect(counterDelta(now, undefined, "ordersAccepted")).toBe(5);
    expect(counterDelta(undefined, before, "ordersAccepted")).toBe(0);
  });
});

describe("clientCallGroups", () => {
  it("groups retries with their first attempt and keeps recorded response headers", () => {
    const first = "call1";
    const events = [
      ev({ spanId: first, kind: EventKind.REQUEST_SENT, mode: Mode.REST, from: "Browser", to: "Gateway", summary: "POST /rest/orders", attempt: 1 }, true),
      ev({ spanId: first, kind: EventKind.RESPONSE_RECEIVED, mode: Mode.REST, from: "Gateway", to: "Browser", summary: "network_error" }, true),
      ev({ spanId: "call1b", kind: EventKind.REQUEST_SENT, mode: Mode.REST, from: "Browser", to: "Gateway", summary: "POST /rest/orders", attempt: 2, retryOfSpanId: first }, true),
      ev({ spanId: "call1b", kind: EventKind.RESPONSE_RECEIVED, mode: Mode.REST, from: "Gateway", to: "Browser", summary: "201", http: { status: 201, headers: { connection: "close" } } }, true),
      ev({ spanId: "call2", kind: EventKind.REQUEST_SENT, mode: Mode.REST, from: "Browser", to: "Gateway", summary: "POST /rest/orders", attempt: 1 }, true),
    ];
    const all = clientCallGroups(events, { answered: false });
    expect(all.map((g) => g.attempts.length)).toEqual([2, 1]);
    const done = clientCallGroups(events, { call: "CreateOrder", status: "201" });
    expect(done).toHaveLength(1);
    expect([...done[0].spanIds]).toEqual(["call1", "call1b"]);
    expect(done[0].last.headers).toEqual({ connection: "close" });
    expect(done[0].attempts[0].retryOf).toBe("");
  });
});
