import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { demoTrace } from "../../lib/diagram/fixtures";
import { StreamTraceResponseSchema } from "../../lib/gen/lab/v1/lab_pb";
import { EventKind, Mode, TraceEventSchema, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import { connectJsonResponse, garbageGrpcWeb, grpcWebRequestSent, grpcWebResponse, mqttPublish } from "../../components/inspector/samples";
import { ProtoWriter, traceEventEncoder } from "./trace-codec";
import { lighten, type TraceEventInit } from "./trace-hub";

/** The encoder's output for one event, without the length prefix. */
function fast(event: object, light = false): Uint8Array {
  const w = new ProtoWriter(8);
  traceEventEncoder!(w, event, light);
  const all = w.buf.subarray(0, w.pos);
  let i = 0;
  while (all[i] & 0x80) i++;
  return Uint8Array.from(all.subarray(i + 1));
}

const big: TraceEventInit = {
  session: "s",
  seq: 2n ** 63n + 5n,
  timeUnixMs: 1_763_719_000_000.123,
  spanId: "span",
  from: "Browser",
  to: "UserService",
  mode: Mode.GRPC_WEB,
  kind: EventKind.RESPONSE_SENT,
  summary: "张三 ✓ 🎉 \u{10FFFF}",
  durationMs: Number.NaN,
  bytes: { header: 4_000_000_000, body: 0, framing: 5, headerEstimated: true },
  // A submessage longer than 127 bytes (a two-byte length prefix) and map entries.
  http: { method: "POST", path: `/${"p".repeat(300)}`, status: 200, headers: { a: "1", "x-long": "v".repeat(200), empty: "" }, trailers: { "grpc-status": "0" } },
  rpc: {},
  fault: { ruleId: "r1", kind: "latency", detail: "" },
  wire: new Uint8Array(70_000).map((_, i) => i & 0xff),
  wireTruncated: true,
  attempt: 3,
  streamIndex: 0,
  error: "",
};

describe("trace-codec: TraceEvent encoder", () => {
  it("can write every field of TraceEvent (a new field type it cannot write fails here)", () => {
    expect(traceEventEncoder).toBeDefined();
  });

  it("writes the same bytes as protobuf-es's toBinary, for messages and for init objects", () => {
    const events: TraceEvent[] = [...demoTrace(), grpcWebResponse(), grpcWebRequestSent(), connectJsonResponse(), mqttPublish(), garbageGrpcWeb(), create(TraceEventSchema, big), create(TraceEventSchema)];
    for (const e of events) {
      expect(fast(e)).toEqual(toBinary(TraceEventSchema, e));
      expect(fast(lighten(e))).toEqual(toBinary(TraceEventSchema, lighten(e)));
      // Light, straight from the whole event.
      expect(fast(e, true)).toEqual(toBinary(TraceEventSchema, lighten(e)));
    }
    expect(fast(big)).toEqual(toBinary(TraceEventSchema, create(TraceEventSchema, big)));
    expect(fast(big, true)).toEqual(toBinary(TraceEventSchema, lighten(create(TraceEventSchema, big))));
    expect(fast(big, true).length).toBeLessThan(1000);
    expect(fromBinary(TraceEventSchema, fast(big))).toEqual(create(TraceEventSchema, big));
    // A recorded event's seq is a number: the same bytes as the BigInt, small and past 2^32.
    for (const seq of [1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
      expect(fast({ seq, summary: "s" })).toEqual(toBinary(TraceEventSchema, create(TraceEventSchema, { seq: BigInt(seq), summary: "s" })));
    }
    // Empty, unset and default fields are left out, as proto3 says.
    expect(fast({ seq: 0n, summary: "", wire: new Uint8Array(0), attempt: 0, wireTruncated: false, http: undefined })).toHaveLength(0);
  });

  it("events carried as unknown fields decode as an ordinary StreamTraceResponse", () => {
    const events = demoTrace().slice(0, 5);
    const w = new ProtoWriter(16);
    const parts: Uint8Array[] = [];
    for (const e of events) {
      const start = w.pos;
      traceEventEncoder!(w, e);
      parts.push(Uint8Array.from(w.buf.subarray(start, w.pos)));
    }
    const res = create(StreamTraceResponseSchema, { dropped: 3n });
    res.$unknown = parts.map((data) => ({ no: 1, wireType: WireType.LengthDelimited, data }));
    const decoded = fromBinary(StreamTraceResponseSchema, toBinary(StreamTraceResponseSchema, res));
    expect(decoded.dropped).toBe(3n);
    expect(decoded.events).toEqual(events);
  });
});
