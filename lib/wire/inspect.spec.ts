import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { OrderCreatedSchema } from "../gen/lab/v1/order_pb";
import { Mode, TraceEventSchema } from "../gen/lab/v1/trace_pb";
import { GetUserResponseSchema } from "../gen/lab/v1/user_pb";
import { encodeEnvelope } from "./envelope";
import { hexDumpRows } from "./hex-dump";
import { inspectPayload, inspectTraceEvent, resolveLabMessage } from "./inspect";

const enc = new TextEncoder();
const response = create(GetUserResponseSchema, { user: { id: 1n, name: "Ada", email: "ada@example.com" } });
const responseBytes = toBinary(GetUserResponseSchema, response);

describe("inspectTraceEvent", () => {
  it("gRPC-web: frames, the message by schema, trailers, and highlights at absolute offsets", () => {
    const wire = Uint8Array.of(...encodeEnvelope(0, responseBytes), ...encodeEnvelope(0x80, enc.encode("grpc-status: 0\r\ngrpc-message: \r\n")));
    const ev = create(TraceEventSchema, {
      mode: Mode.GRPC_WEB,
      wire,
      http: { contentType: "application/grpc-web+proto" },
      rpc: { messageType: "lab.v1.GetUserResponse", codec: "proto" },
    });
    const i = inspectTraceEvent(ev);
    expect(i.layout).toBe("envelope");
    expect(i.envelope?.frames.map((f) => f.kind)).toEqual(["message", "trailers"]);
    expect(i.envelope?.frames[1].trailers?.grpcStatusName).toBe("OK");
    expect(i.payloads).toHaveLength(1);
    const view = i.payloads[0].view;
    expect(view.kind).toBe("protobuf");
    if (view.kind !== "protobuf") return;
    expect(view.typeName).toBe("lab.v1.GetUserResponse");
    expect(view.message.offset).toBe(5);
    const user = view.message.fields[0];
    expect(user.schema?.name).toBe("user");
    const nameHl = i.highlights.find((h) => h.id === "frame-0.user.name#value");
    expect(nameHl).toBeDefined();
    expect(new TextDecoder().decode(wire.subarray(nameHl!.offset, nameHl!.offset + nameHl!.length))).toBe("Ada");
    expect(i.highlights.find((h) => h.id === "frame-1-prefix")).toMatchObject({ offset: 5 + responseBytes.length, length: 5, tone: "framing" });
    // The highlights drive the hex dump directly.
    const cell = hexDumpRows(wire, { highlights: i.highlights }).flatMap((r) => r.cells)[nameHl!.offset];
    expect(cell.highlight?.id).toBe("frame-0.user.name#value");
    expect(i.notes).toEqual([]);
  });

  it("native gRPC without a content type falls back on the mode; truncation is reported", () => {
    const wire = encodeEnvelope(0, responseBytes);
    const i = inspectTraceEvent({ mode: Mode.GRPC, wire: wire.subarray(0, 12), wireTruncated: true, rpc: { messageType: "lab.v1.GetUserResponse" } });
    expect(i.layout).toBe("envelope");
    expect(i.truncated).toBe(true);
    expect(i.envelope?.frames[0].truncated).toBe(true);
    expect(i.envelope?.error?.reason).toMatch(/truncated/);
    expect(i.notes.join(" ")).toMatch(/4 KiB/);
    const view = i.payloads[0].view;
    expect(view.kind === "protobuf" && view.message.error?.reason).toMatch(/truncated/);
  });

  it("Connect unary proto and JSON, and REST JSON: a bare body", () => {
    const proto = inspectTraceEvent({ mode: Mode.CONNECT, wire: responseBytes, http: { contentType: "application/proto" }, rpc: { messageType: "lab.v1.GetUserResponse" } });
    expect(proto.layout).toBe("bare");
    expect(proto.payloads[0].view).toMatchObject({ kind: "protobuf", typeName: "lab.v1.GetUserResponse" });
    const json = toJsonString(GetUserResponseSchema, response);
    const cj = inspectTraceEvent({ mode: Mode.CONNECT, wire: enc.encode(json), http: { contentType: "application/json" } });
    expect(cj.payloads[0].view).toEqual({ kind: "json", text: json, value: { user: { id: "1", name: "Ada", email: "ada@example.com" } } });
    const rest = inspectTraceEvent({ mode: Mode.REST, wire: enc.encode("{not json"), http: { contentType: "application/json" } });
    expect(rest.payloads[0].view).toMatchObject({ kind: "json", error: expect.any(String) });
  });

  it("Connect streaming JSON: frames and an end-of-stream", () => {
    const wire = Uint8Array.of(...encodeEnvelope(0, enc.encode('{"user":{"id":"1"}}')), ...encodeEnvelope(2, enc.encode("{}")));
    const i = inspectTraceEvent({ mode: Mode.CONNECT, wire, http: { contentType: "application/connect+json" } });
    expect(i.envelope?.frames.map((f) => f.kind)).toEqual(["message", "end-stream"]);
    expect(i.payloads.map((p) => p.view)).toEqual([{ kind: "json", text: '{"user":{"id":"1"}}', value: { user: { id: "1" } } }]);
  });

  it("MQTT PUBLISH: the packet, then the payload by the topic's message type", () => {
    const event = create(OrderCreatedSchema, { messageId: "m-1", order: { id: "o-1", userId: 1n, sku: "sku-1", quantity: 2, status: "accepted" } });
    const payload = toBinary(OrderCreatedSchema, event);
    const wire = new Uint8Array(
      mqttPacket.generate({ cmd: "publish", topic: "lab/s1/events/order.created", payload: Buffer.from(payload), qos: 1, dup: false, retain: false, messageId: 12 }),
    );
    const i = inspectTraceEvent({ mode: Mode.MQTT, wire, mqtt: { messageType: "lab.v1.OrderCreated" } });
    expect(i.layout).toBe("mqtt");
    expect(i.mqtt?.packets[0].summary).toBe("PUBLISH lab/s1/events/order.created QoS 1 #12");
    const p = i.payloads[0];
    expect(p.range).toEqual({ offset: wire.length - payload.length, length: payload.length });
    expect(p.view.kind === "protobuf" && p.view.message.fields.map((f) => f.schema?.name)).toEqual(["message_id", "order"]);
    const sku = i.highlights.find((h) => h.id === "payload.order.sku#value")!;
    expect(new TextDecoder().decode(wire.subarray(sku.offset, sku.offset + sku.length))).toBe("sku-1");
  });

  it("MQTT CONNECT: the password is redacted", () => {
    const wire = new Uint8Array(
      mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "c", keepalive: 5, username: "u", password: Buffer.from("pw") }),
    );
    const i = inspectTraceEvent({ mode: Mode.MQTT, wire });
    expect(i.redact).toEqual([{ offset: wire.length - 2, length: 2 }]);
    expect(hexDumpRows(wire, { redact: i.redact }).flatMap((r) => r.cells).slice(-2).map((c) => c.hex)).toEqual(["••", "••"]);
  });

  it("empty captures and unknown message types", () => {
    expect(inspectTraceEvent(create(TraceEventSchema, { mode: Mode.REST }))).toMatchObject({ layout: "empty", payloads: [] });
    const notes: string[] = [];
    const v = inspectPayload(responseBytes, { typeName: "lab.v1.Nope" }, {}, notes);
    expect(v.kind).toBe("protobuf");
    expect(notes[0]).toMatch(/no schema for lab.v1.Nope/);
    expect(inspectPayload(enc.encode("plain text, not protobuf!"), {})).toEqual({ kind: "text", text: "plain text, not protobuf!" });
    expect(resolveLabMessage("lab.v1.User")?.typeName).toBe("lab.v1.User");
  });
});
