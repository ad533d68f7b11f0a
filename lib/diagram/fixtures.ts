/**
 * Realistic sample traces for tests and demos. Every function returns fresh
 * TraceEvent messages with deterministic times (t0 + offsets in ms) and ids.
 *
 * Conventions used here (the layout also accepts the other spelling):
 * - from/to of request events name the hop (caller → callee);
 * - from/to of response, stream and MQTT events name the message's direction;
 * - seq is set on events observed by a server (1, 2, …), 0 for the Browser's.
 */
import { create } from "@bufbuild/protobuf";
import {
  EventKind,
  Mode,
  TraceEventSchema,
  type ByteCounts,
  type FaultInfo,
  type HttpInfo,
  type MqttInfo,
  type RpcInfo,
  type TraceEvent,
} from "../gen/lab/v1/trace_pb";

/** 2025-06-15T15:06:40Z: a fixed origin so tests and screenshots are stable. */
export const BASE_TIME = 1_750_000_000_000;
export const DEMO_SESSION = "s-demo";

type Init = {
  t: number;
  span: string;
  parent?: string;
  from: string;
  to: string;
  mode: Mode;
  kind: EventKind;
  observer: string;
  summary?: string;
  http?: Partial<Omit<HttpInfo, "$typeName">>;
  rpc?: Partial<Omit<RpcInfo, "$typeName">>;
  mqtt?: Partial<Omit<MqttInfo, "$typeName">>;
  bytes?: Partial<Omit<ByteCounts, "$typeName">>;
  fault?: Partial<Omit<FaultInfo, "$typeName">>;
  wire?: Uint8Array;
  durationMs?: number;
  error?: string;
  attempt?: number;
  retryOf?: string;
  streamIndex?: number;
};

const enc = new TextEncoder();

function build(t0: number, session: string, inits: Init[]): TraceEvent[] {
  let seq = 0;
  return inits
    .slice()
    .sort((a, b) => a.t - b.t)
    .map((i) =>
      create(TraceEventSchema, {
        seq: i.observer === "Browser" ? BigInt(0) : BigInt(++seq),
        session,
        timeUnixMs: t0 + i.t,
        spanId: i.span,
        parentSpanId: i.parent ?? "",
        from: i.from,
        to: i.to,
        mode: i.mode,
        kind: i.kind,
        observer: i.observer,
        summary: i.summary ?? "",
        http: i.http,
        rpc: i.rpc,
        mqtt: i.mqtt,
        bytes: i.bytes,
        fault: i.fault,
        wire: i.wire,
        durationMs: i.durationMs ?? 0,
        error: i.error ?? "",
        attempt: i.attempt ?? (i.kind === EventKind.MQTT_PACKET || i.kind === EventKind.PROCESSED ? 0 : 1),
        retryOfSpanId: i.retryOf ?? "",
        streamIndex: i.streamIndex ?? 0,
      }),
    );
}

const USER_1 = '{"id":"1","name":"Ada Lovelace","email":"ada@example.com"}';
const USER_2 = '{"id":"2","name":"Alan Turing","email":"alan@example.com"}';
const USER_3 = '{"id":"3","name":"Grace Hopper","email":"grace@example.com"}';

function grpcGetUser(codec: "proto" | "json" = "proto") {
  return {
    service: "lab.v1.UserService",
    method: "GetUser",
    streamType: "unary",
    codec,
    messageType: "lab.v1.GetUserRequest",
  };
}

/**
 * REST GetUser: Browser → Gateway (REST, HTTP/1.1), Gateway → UserService
 * (gRPC, HTTP/2), answers back. 3.2 ms end to end.
 */
export function restGetUser(t0 = BASE_TIME, session = DEMO_SESSION, span = "rest-1"): TraceEvent[] {
  const g = `${span}-g`;
  const body = enc.encode(USER_1);
  const req = { method: "GET", path: "/rest/users/1", version: "HTTP/1.1" };
  const grpcReq = { method: "POST", path: "/lab.v1.UserService/GetUser", version: "HTTP/2", contentType: "application/grpc" };
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "GET /rest/users/1", http: req, bytes: { header: 412 } },
    { t: 0.45, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_RECEIVED, observer: "Gateway", summary: "GET /rest/users/1", http: req, bytes: { header: 412 } },
    { t: 0.9, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_SENT, observer: "Gateway", summary: "GetUser", http: grpcReq, rpc: grpcGetUser(), bytes: { header: 186, body: 2, framing: 5, headerEstimated: true } },
    { t: 1.15, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "GetUser", http: grpcReq, rpc: grpcGetUser(), bytes: { header: 186, body: 2, framing: 5, headerEstimated: true } },
    { t: 1.7, span: g, parent: span, from: "UserService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_SENT, observer: "UserService", http: { status: 200, version: "HTTP/2", contentType: "application/grpc", trailers: { "grpc-status": "0" } }, rpc: { ...grpcGetUser(), code: "ok", messageType: "lab.v1.GetUserResponse" }, bytes: { header: 64, body: 38, framing: 5, headerEstimated: true }, durationMs: 0.55 },
    { t: 2.05, span: g, parent: span, from: "UserService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_RECEIVED, observer: "Gateway", http: { status: 200, version: "HTTP/2", contentType: "application/grpc" }, rpc: { ...grpcGetUser(), code: "ok", messageType: "lab.v1.GetUserResponse" }, bytes: { header: 64, body: 38, framing: 5, headerEstimated: true }, durationMs: 1.15 },
    { t: 2.4, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_SENT, observer: "Gateway", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 151, body: body.length }, wire: body, durationMs: 1.95 },
    { t: 3.2, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 151, body: body.length }, wire: body, durationMs: 3.2 },
  ]);
}

/** Connect GetUser: Browser → UserService directly (Connect, JSON). 1.5 ms. */
export function connectGetUser(t0 = BASE_TIME, session = DEMO_SESSION, span = "connect-1"): TraceEvent[] {
  const http = { method: "POST", path: "/rpc/lab.v1.UserService/GetUser", version: "HTTP/1.1", contentType: "application/json" };
  const rpc = grpcGetUser("json");
  const out = enc.encode(`{"user":${USER_1}}`);
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "UserService", mode: Mode.CONNECT, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "GetUser", http, rpc, bytes: { header: 388, body: 10 }, wire: enc.encode('{"id":"1"}') },
    { t: 0.4, span, from: "Browser", to: "UserService", mode: Mode.CONNECT, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "GetUser", http, rpc, bytes: { header: 388, body: 10 } },
    { t: 0.95, span, from: "UserService", to: "Browser", mode: Mode.CONNECT, kind: EventKind.RESPONSE_SENT, observer: "UserService", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, rpc: { ...rpc, code: "ok", messageType: "lab.v1.GetUserResponse" }, bytes: { header: 142, body: out.length }, durationMs: 0.55 },
    { t: 1.5, span, from: "UserService", to: "Browser", mode: Mode.CONNECT, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, rpc: { ...rpc, code: "ok", messageType: "lab.v1.GetUserResponse" }, bytes: { header: 142, body: out.length }, durationMs: 1.5 },
  ]);
}

const ORDER_TOPIC = (session: string) => `lab/${session}/events/order.created`;

/**
 * CreateOrder: Browser → Gateway (REST) → OrderService (gRPC) answers 202 at
 * once and publishes order.created with QoS 1 (PUBLISH → PUBACK); the broker
 * delivers to Inventory and Notification (each PUBLISH → PUBACK), which apply it.
 */
export function mqttCreateOrder(t0 = BASE_TIME, session = DEMO_SESSION, span = "order-1"): TraceEvent[] {
  const g = `${span}-g`;
  const m1 = `${span}-pub`;
  const m2 = `${span}-inv`;
  const m3 = `${span}-notif`;
  const topic = ORDER_TOPIC(session);
  const http = { method: "POST", path: "/rest/orders", version: "HTTP/1.1", contentType: "application/json" };
  const rpc = { service: "lab.v1.OrderService", method: "CreateOrder", streamType: "unary", codec: "proto", messageType: "lab.v1.CreateOrderRequest" };
  const grpcHttp = { method: "POST", path: "/lab.v1.OrderService/CreateOrder", version: "HTTP/2", contentType: "application/grpc" };
  const pub = (packetId: number, dup = false) => ({ packetType: "PUBLISH", topic, qos: 1, packetId, dup, messageType: "lab.v1.OrderCreated" });
  const ack = (packetId: number) => ({ packetType: "PUBACK", packetId });
  const pubBytes = { header: 43, body: 71 };
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "POST /rest/orders", http, bytes: { header: 436, body: 41 }, wire: enc.encode('{"userId":"1","sku":"SKU-42","quantity":1}') },
    { t: 0.5, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_RECEIVED, observer: "Gateway", summary: "POST /rest/orders", http, bytes: { header: 436, body: 41 } },
    { t: 0.9, span: g, parent: span, from: "Gateway", to: "OrderService", mode: Mode.GRPC, kind: EventKind.REQUEST_SENT, observer: "Gateway", summary: "CreateOrder", http: grpcHttp, rpc, bytes: { header: 190, body: 12, framing: 5, headerEstimated: true } },
    { t: 1.2, span: g, parent: span, from: "Gateway", to: "OrderService", mode: Mode.GRPC, kind: EventKind.REQUEST_RECEIVED, observer: "OrderService", summary: "CreateOrder", http: grpcHttp, rpc, bytes: { header: 190, body: 12, framing: 5, headerEstimated: true } },
    { t: 1.6, span: m1, parent: g, from: "OrderService", to: "Broker", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...pub(12), clientId: "order-service" }, bytes: pubBytes },
    { t: 1.95, span: m1, parent: g, from: "Broker", to: "OrderService", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...ack(12), clientId: "order-service" }, bytes: { header: 4 } },
    { t: 2.1, span: g, parent: span, from: "OrderService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_SENT, observer: "OrderService", http: { status: 200, version: "HTTP/2" }, rpc: { ...rpc, code: "ok", messageType: "lab.v1.CreateOrderResponse" }, bytes: { header: 64, body: 46, framing: 5, headerEstimated: true }, durationMs: 0.9 },
    { t: 2.2, span: m2, parent: m1, from: "Broker", to: "Inventory", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...pub(3), clientId: "inventory" }, bytes: pubBytes },
    { t: 2.35, span: m3, parent: m1, from: "Broker", to: "Notification", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...pub(7), clientId: "notification" }, bytes: pubBytes },
    { t: 2.45, span: g, parent: span, from: "OrderService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_RECEIVED, observer: "Gateway", http: { status: 200, version: "HTTP/2" }, rpc: { ...rpc, code: "ok", messageType: "lab.v1.CreateOrderResponse" }, bytes: { header: 64, body: 46, framing: 5, headerEstimated: true }, durationMs: 1.55 },
    { t: 2.7, span: m2, parent: m1, from: "Inventory", to: "Inventory", mode: Mode.LOCAL, kind: EventKind.PROCESSED, observer: "Inventory", summary: "stock SKU-42 100→99" },
    { t: 2.8, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_SENT, observer: "Gateway", http: { status: 202, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 160, body: 118 }, durationMs: 2.3 },
    { t: 2.95, span: m2, parent: m1, from: "Inventory", to: "Broker", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...ack(3), clientId: "inventory" }, bytes: { header: 4 } },
    { t: 3.3, span: m3, parent: m1, from: "Notification", to: "Broker", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker", mqtt: { ...ack(7), clientId: "notification" }, bytes: { header: 4 } },
    { t: 3.5, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", http: { status: 202, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 160, body: 118 }, durationMs: 3.5 },
    { t: 4.1, span: m3, parent: m1, from: "Notification", to: "Notification", mode: Mode.LOCAL, kind: EventKind.PROCESSED, observer: "Notification", summary: "email queued for user 1" },
  ]);
}

/** A QoS 2 publish from the Browser (MQTT over WebSocket): PUBLISH, PUBREC, PUBREL, PUBCOMP. */
export function mqttQos2(t0 = BASE_TIME, session = DEMO_SESSION, span = "qos2-1"): TraceEvent[] {
  const topic = `lab/${session}/rpc/lab.v1.UserService/GetUser/c42`;
  const base = { span, mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, observer: "Broker" };
  return build(t0, session, [
    { ...base, t: 0, from: "Browser", to: "Broker", mqtt: { packetType: "PUBLISH", topic, qos: 2, packetId: 5, clientId: "browser-7f3a", messageType: "lab.v1.GetUserRequest" }, bytes: { header: 60, body: 2 } },
    { ...base, t: 0.6, from: "Broker", to: "Browser", mqtt: { packetType: "PUBREC", packetId: 5, clientId: "browser-7f3a" }, bytes: { header: 4 } },
    { ...base, t: 1.1, from: "Browser", to: "Broker", mqtt: { packetType: "PUBREL", packetId: 5, qos: 1, clientId: "browser-7f3a" }, bytes: { header: 4 } },
    { ...base, t: 1.5, from: "Broker", to: "Browser", mqtt: { packetType: "PUBCOMP", packetId: 5, clientId: "browser-7f3a" }, bytes: { header: 4 } },
  ]);
}

/** An MQTT client session start: TCP open, CONNECT/CONNACK, SUBSCRIBE/SUBACK. */
export function mqttConnect(t0 = BASE_TIME, session = DEMO_SESSION, span = "conn-inv", client = "Inventory"): TraceEvent[] {
  const topic = ORDER_TOPIC(session);
  const base = { span, mode: Mode.MQTT, observer: "Broker" };
  return build(t0, session, [
    { ...base, t: 0, from: client, to: "Broker", kind: EventKind.CONNECTION, summary: "TCP open :1883" },
    { ...base, t: 0.3, from: client, to: "Broker", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "CONNECT", clientId: client.toLowerCase() }, bytes: { header: 12, body: 11 } },
    { ...base, t: 0.6, from: "Broker", to: client, kind: EventKind.MQTT_PACKET, mqtt: { packetType: "CONNACK", returnCode: "0", clientId: client.toLowerCase() }, bytes: { header: 4 } },
    { ...base, t: 0.9, from: client, to: "Broker", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "SUBSCRIBE", topic, qos: 1, packetId: 1, clientId: client.toLowerCase() }, bytes: { header: 4, body: topic.length + 3 } },
    { ...base, t: 1.2, from: "Broker", to: client, kind: EventKind.MQTT_PACKET, mqtt: { packetType: "SUBACK", packetId: 1, returnCode: "1", clientId: client.toLowerCase() }, bytes: { header: 5 } },
  ]);
}

/** ListUsers, server streaming over Connect: 3 users, 200 ms apart, each seen by both ends. */
export function listUsersStream(t0 = BASE_TIME, session = DEMO_SESSION, span = "stream-1"): TraceEvent[] {
  const http = { method: "POST", path: "/rpc/lab.v1.UserService/ListUsers", version: "HTTP/1.1", contentType: "application/connect+json" };
  const rpc = { service: "lab.v1.UserService", method: "ListUsers", streamType: "server_streaming", codec: "json", messageType: "lab.v1.ListUsersRequest" };
  const users = [USER_1, USER_2, USER_3];
  const msgs: Init[] = [];
  users.forEach((u, i) => {
    const body = `{"user":${u}}`;
    const common = {
      span,
      from: "UserService",
      to: "Browser",
      mode: Mode.CONNECT,
      kind: EventKind.STREAM_MESSAGE,
      rpc: { ...rpc, messageType: "lab.v1.ListUsersResponse" },
      bytes: { body: body.length, framing: 5 },
      streamIndex: i,
      summary: `ListUsers → ${JSON.parse(u).name as string}`,
    };
    msgs.push({ ...common, t: 1 + 200 * i, observer: "UserService" });
    msgs.push({ ...common, t: 1.5 + 200 * i, observer: "Browser", wire: enc.encode(body) });
  });
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "UserService", mode: Mode.CONNECT, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "ListUsers", http, rpc, bytes: { header: 402, body: 30, framing: 5 } },
    { t: 0.4, span, from: "Browser", to: "UserService", mode: Mode.CONNECT, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "ListUsers", http, rpc, bytes: { header: 402, body: 30, framing: 5 } },
    ...msgs,
    { t: 401.8, span, from: "UserService", to: "Browser", mode: Mode.CONNECT, kind: EventKind.RESPONSE_SENT, observer: "UserService", summary: "end of stream", http: { status: 200 }, rpc: { ...rpc, code: "ok" }, bytes: { body: 2, framing: 5 }, durationMs: 401.4 },
    { t: 402.3, span, from: "UserService", to: "Browser", mode: Mode.CONNECT, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", summary: "end of stream", http: { status: 200 }, rpc: { ...rpc, code: "ok" }, bytes: { body: 2, framing: 5 }, durationMs: 402.3 },
  ]);
}

/**
 * A retry: the Gateway's first gRPC attempt is reset by a fault rule
 * (ERROR "read ECONNRESET"), the second attempt (retry_of_span_id) succeeds.
 */
export function retryAfterError(t0 = BASE_TIME, session = DEMO_SESSION, span = "retry-1"): TraceEvent[] {
  const a1 = `${span}-a1`;
  const a2 = `${span}-a2`;
  const req = { method: "GET", path: "/rest/users/2", version: "HTTP/1.1" };
  const grpcHttp = { method: "POST", path: "/lab.v1.UserService/GetUser", version: "HTTP/2", contentType: "application/grpc" };
  const body = enc.encode(USER_2);
  const grpcBytes = { header: 186, body: 2, framing: 5, headerEstimated: true };
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "GET /rest/users/2", http: req, bytes: { header: 412 } },
    { t: 0.4, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_RECEIVED, observer: "Gateway", summary: "GET /rest/users/2", http: req, bytes: { header: 412 } },
    { t: 0.8, span: a1, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_SENT, observer: "Gateway", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: grpcBytes, attempt: 1 },
    { t: 0.95, span: a1, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: grpcBytes, attempt: 1 },
    { t: 1.0, span: a1, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.FAULT, observer: "UserService", fault: { ruleId: "reset-user", kind: "reset", detail: "RST after request" }, attempt: 1 },
    { t: 1.3, span: a1, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.ERROR, observer: "Gateway", error: "read ECONNRESET", rpc: { ...grpcGetUser(), code: "unavailable" }, durationMs: 0.5, attempt: 1 },
    { t: 26.3, span: a2, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_SENT, observer: "Gateway", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: grpcBytes, attempt: 2, retryOf: a1 },
    { t: 26.6, span: a2, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: grpcBytes, attempt: 2, retryOf: a1 },
    { t: 27.1, span: a2, parent: span, from: "UserService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_SENT, observer: "UserService", rpc: { ...grpcGetUser(), code: "ok" }, http: { status: 200, version: "HTTP/2" }, bytes: { header: 64, body: 37, framing: 5, headerEstimated: true }, durationMs: 0.5, attempt: 2, retryOf: a1 },
    { t: 27.4, span: a2, parent: span, from: "UserService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_RECEIVED, observer: "Gateway", rpc: { ...grpcGetUser(), code: "ok" }, http: { status: 200, version: "HTTP/2" }, bytes: { header: 64, body: 37, framing: 5, headerEstimated: true }, durationMs: 1.1, attempt: 2, retryOf: a1 },
    { t: 27.8, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_SENT, observer: "Gateway", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 151, body: body.length }, wire: body, durationMs: 27.4 },
    { t: 28.3, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", http: { status: 200, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 151, body: body.length }, wire: body, durationMs: 28.3 },
  ]);
}

/**
 * A timeout: a fault rule delays UserService by 1500 ms, the Gateway's
 * 1000 ms deadline fires (ERROR deadline_exceeded), the Browser gets a 504,
 * and the late answer arrives at a Gateway that no longer listens.
 */
export function timeoutError(t0 = BASE_TIME, session = DEMO_SESSION, span = "timeout-1"): TraceEvent[] {
  const g = `${span}-g`;
  const req = { method: "GET", path: "/rest/users/3", version: "HTTP/1.1" };
  const grpcHttp = { method: "POST", path: "/lab.v1.UserService/GetUser", version: "HTTP/2", contentType: "application/grpc", headers: { "grpc-timeout": "1000m" } };
  const errBody = enc.encode('{"code":"deadline_exceeded","message":"user service did not answer within 1000 ms"}');
  return build(t0, session, [
    { t: 0, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_SENT, observer: "Browser", summary: "GET /rest/users/3", http: req, bytes: { header: 412 } },
    { t: 0.4, span, from: "Browser", to: "Gateway", mode: Mode.REST, kind: EventKind.REQUEST_RECEIVED, observer: "Gateway", summary: "GET /rest/users/3", http: req, bytes: { header: 412 } },
    { t: 0.8, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_SENT, observer: "Gateway", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: { header: 201, body: 2, framing: 5, headerEstimated: true } },
    { t: 1.1, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.REQUEST_RECEIVED, observer: "UserService", summary: "GetUser", http: grpcHttp, rpc: grpcGetUser(), bytes: { header: 201, body: 2, framing: 5, headerEstimated: true } },
    { t: 1.2, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.FAULT, observer: "UserService", fault: { ruleId: "slow-user", kind: "delay", detail: "1500 ms" } },
    { t: 1000.8, span: g, parent: span, from: "Gateway", to: "UserService", mode: Mode.GRPC, kind: EventKind.ERROR, observer: "Gateway", error: "deadline exceeded after 1000 ms", rpc: { ...grpcGetUser(), code: "deadline_exceeded" }, durationMs: 1000 },
    { t: 1001.3, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_SENT, observer: "Gateway", http: { status: 504, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 158, body: errBody.length }, wire: errBody, durationMs: 1000.9 },
    { t: 1001.9, span, from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_RECEIVED, observer: "Browser", http: { status: 504, version: "HTTP/1.1", contentType: "application/json" }, bytes: { header: 158, body: errBody.length }, wire: errBody, durationMs: 1001.9 },
    { t: 1501.3, span: g, parent: span, from: "UserService", to: "Gateway", mode: Mode.GRPC, kind: EventKind.RESPONSE_SENT, observer: "UserService", summary: "ok (too late)", rpc: { ...grpcGetUser(), code: "ok" }, http: { status: 200, version: "HTTP/2" }, bytes: { header: 64, body: 39, framing: 5, headerEstimated: true }, durationMs: 1500.2 },
  ]);
}

/**
 * A poison message: the broker redelivers (DUP) an order.created that
 * Notification cannot decode; after the retry Notification moves it to its
 * dead-letter topic (DEAD_LETTER, then the PUBLISH to the dlq topic).
 */
export function deadLetter(t0 = BASE_TIME, session = DEMO_SESSION, span = "dlq-1"): TraceEvent[] {
  const topic = ORDER_TOPIC(session);
  const base = { span, mode: Mode.MQTT, observer: "Broker" };
  return build(t0, session, [
    { ...base, t: 0, from: "Broker", to: "Notification", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "PUBLISH", topic, qos: 1, packetId: 9, clientId: "notification" }, bytes: { header: 43, body: 5 } },
    { ...base, t: 0.6, from: "Notification", to: "Notification", mode: Mode.LOCAL, observer: "Notification", kind: EventKind.ERROR, error: "cannot decode lab.v1.OrderCreated: invalid wire type" },
    { ...base, t: 30, from: "Broker", to: "Notification", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "PUBLISH", topic, qos: 1, packetId: 9, dup: true, clientId: "notification" }, bytes: { header: 43, body: 5 } },
    { ...base, t: 30.5, from: "Notification", to: "Notification", mode: Mode.LOCAL, observer: "Notification", kind: EventKind.ERROR, error: "cannot decode lab.v1.OrderCreated: invalid wire type" },
    { ...base, t: 31, from: "Notification", to: "Notification", mode: Mode.LOCAL, kind: EventKind.DEAD_LETTER, observer: "Notification", mqtt: { topic: `lab/${session}/dlq/notification` }, summary: "undecodable event → dlq/notification", error: "cannot decode lab.v1.OrderCreated: invalid wire type" },
    { ...base, t: 31.2, from: "Notification", to: "Broker", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "PUBLISH", topic: `lab/${session}/dlq/notification`, qos: 1, packetId: 2, clientId: "notification" }, bytes: { header: 38, body: 5 } },
    { ...base, t: 31.4, from: "Notification", to: "Broker", kind: EventKind.MQTT_PACKET, mqtt: { packetType: "PUBACK", packetId: 9, clientId: "notification" }, bytes: { header: 4 } },
  ]);
}

/** Every sample above, one after another, with server seq numbers in time order. */
export function demoTrace(t0 = BASE_TIME, session = DEMO_SESSION): TraceEvent[] {
  const all = [
    ...mqttConnect(t0, session),
    ...restGetUser(t0 + 40, session),
    ...connectGetUser(t0 + 90, session),
    ...mqttCreateOrder(t0 + 150, session),
    ...mqttQos2(t0 + 220, session),
    ...listUsersStream(t0 + 300, session),
    ...retryAfterError(t0 + 900, session),
    ...timeoutError(t0 + 1000, session),
    ...deadLetter(t0 + 2700, session),
  ].sort((a, b) => a.timeUnixMs - b.timeUnixMs);
  let seq = 0;
  for (const e of all) e.seq = e.observer === "Browser" ? BigInt(0) : BigInt(++seq);
  return all;
}

/**
 * `n` events of repeated REST and MQTT calls, a few ms apart: for
 * performance tests of the layout and the windowed rendering.
 */
export function manyEvents(n: number, t0 = BASE_TIME, session = DEMO_SESSION): TraceEvent[] {
  const out: TraceEvent[] = [];
  let i = 0;
  let t = t0;
  while (out.length < n) {
    const batch = i % 3 === 2 ? mqttCreateOrder(t, session, `bulk-${i}`) : restGetUser(t, session, `bulk-${i}`);
    for (const e of batch) if (out.length < n) out.push(e);
    t += 5 + (i % 7);
    i++;
  }
  let seq = 0;
  for (const e of out) e.seq = e.observer === "Browser" ? BigInt(0) : BigInt(++seq);
  return out;
}
