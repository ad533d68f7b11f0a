/**
 * Sample events with real bytes, for the inspector's tests and previews:
 * a gRPC-web GetUser response, a Connect JSON response, an MQTT PUBLISH of
 * an OrderCreated, and captures that do not decode.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import mqttPacket from "mqtt-packet";
import { OrderCreatedSchema } from "@/lib/gen/lab/v1/order_pb";
import { EventKind, Mode, TraceEventSchema, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { GetUserResponseSchema } from "@/lib/gen/lab/v1/user_pb";
import { encodeEnvelope } from "@/lib/wire";

const enc = new TextEncoder();
const T0 = 1_750_000_000_000;

export const SAMPLE_USER_NAME = "张三";

/** The GetUserResponse of the gRPC-web sample, as protobuf binary. */
export function sampleUserResponseBytes(): Uint8Array {
  return toBinary(GetUserResponseSchema, create(GetUserResponseSchema, { user: { id: 7n, name: SAMPLE_USER_NAME, email: "zhang.san@example.com" } }));
}

/** UserService → Browser over gRPC-web: one message frame and a trailers frame (0x80). */
export function grpcWebResponse(): TraceEvent {
  const message = sampleUserResponseBytes();
  const trailers = enc.encode("grpc-status: 0\r\ngrpc-message: \r\n");
  const wire = Uint8Array.of(...encodeEnvelope(0x00, message), ...encodeEnvelope(0x80, trailers));
  return create(TraceEventSchema, {
    seq: 3n,
    session: "s-demo",
    timeUnixMs: T0 + 1.7,
    spanId: "gw-1",
    from: "UserService",
    to: "Browser",
    mode: Mode.GRPC_WEB,
    kind: EventKind.RESPONSE_SENT,
    observer: "UserService",
    summary: "GetUser → 张三",
    http: {
      status: 200,
      version: "HTTP/1.1",
      contentType: "application/grpc-web+proto",
      headers: { "content-type": "application/grpc-web+proto", "access-control-expose-headers": "grpc-status, grpc-message", vary: "Origin" },
    },
    rpc: { service: "lab.v1.UserService", method: "GetUser", code: "ok", messageType: "lab.v1.GetUserResponse", streamType: "unary", codec: "proto" },
    bytes: { header: 182, body: message.length, framing: 5 + 5 + trailers.length },
    wire,
    durationMs: 0.62,
    attempt: 1,
  });
}

/** The Browser's REQUEST_SENT of the same kind of call: no bytes captured. */
export function grpcWebRequestSent(): TraceEvent {
  return create(TraceEventSchema, {
    timeUnixMs: T0,
    spanId: "gw-1",
    from: "Browser",
    to: "UserService",
    mode: Mode.GRPC_WEB,
    kind: EventKind.REQUEST_SENT,
    observer: "Browser",
    summary: "GetUser",
    bytes: { header: 390, body: 2, framing: 5 },
    attempt: 1,
  });
}

/** UserService → Browser, Connect unary with JSON. */
export function connectJsonResponse(): TraceEvent {
  const body = enc.encode('{"user":{"id":"1","name":"Ada Lovelace","email":"ada@example.com"}}');
  return create(TraceEventSchema, {
    timeUnixMs: T0 + 0.95,
    spanId: "connect-1",
    from: "UserService",
    to: "Browser",
    mode: Mode.CONNECT,
    kind: EventKind.RESPONSE_SENT,
    observer: "UserService",
    summary: "GetUser",
    http: { status: 200, version: "HTTP/1.1", contentType: "application/json", headers: { "content-type": "application/json", "content-length": String(body.length) } },
    rpc: { service: "lab.v1.UserService", method: "GetUser", code: "ok", messageType: "lab.v1.GetUserResponse", streamType: "unary", codec: "json" },
    bytes: { header: 142, body: body.length },
    wire: body,
    durationMs: 0.55,
    attempt: 1,
  });
}

export const SAMPLE_TOPIC = "lab/s-demo/events/order.created";

/** OrderService → Broker: PUBLISH QoS 1 #12 of an OrderCreated, built by mqtt-packet. */
export function mqttPublish(): TraceEvent {
  const payload = toBinary(
    OrderCreatedSchema,
    create(OrderCreatedSchema, {
      messageId: "m-0001",
      order: { id: "o-42", userId: 1n, sku: "SKU-42", quantity: 2, status: "accepted", createdAtUnixMs: BigInt(T0) },
    }),
  );
  const wire = new Uint8Array(mqttPacket.generate({ cmd: "publish", topic: SAMPLE_TOPIC, payload: Buffer.from(payload), qos: 1, messageId: 12, dup: false, retain: false }));
  const header = wire.length - payload.length;
  return create(TraceEventSchema, {
    timeUnixMs: T0 + 1.6,
    spanId: "order-1-pub",
    from: "OrderService",
    to: "Broker",
    mode: Mode.MQTT,
    kind: EventKind.MQTT_PACKET,
    observer: "Broker",
    summary: "PUBLISH order.created #12",
    mqtt: { packetType: "PUBLISH", topic: SAMPLE_TOPIC, qos: 1, packetId: 12, clientId: "order-service", messageType: "lab.v1.OrderCreated" },
    bytes: { header, body: payload.length },
    wire,
  });
}

/** Bytes that are no valid envelope nor protobuf: a frame declaring 9 bytes, then 0xff…. */
export function garbageGrpcWeb(): TraceEvent {
  return create(TraceEventSchema, {
    timeUnixMs: T0,
    spanId: "bad-1",
    from: "UserService",
    to: "Browser",
    mode: Mode.GRPC_WEB,
    kind: EventKind.RESPONSE_RECEIVED,
    observer: "Browser",
    http: { status: 200, contentType: "application/grpc-web+proto" },
    rpc: { messageType: "lab.v1.NoSuchMessage", codec: "proto" },
    wire: Uint8Array.of(0x00, 0x00, 0x00, 0x00, 0x09, 0xff, 0xff, 0xff, 0x0f),
    wireTruncated: true,
  });
}
