import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Mode, TraceEventSchema } from "../gen/lab/v1/trace_pb";
import { byteBreakdown } from "./byte-breakdown";

describe("byteBreakdown", () => {
  it("splits a TraceEvent's ByteCounts into header, body and framing", () => {
    const ev = create(TraceEventSchema, { mode: Mode.GRPC_WEB, bytes: { header: 150, body: 40, framing: 10 } });
    const b = byteBreakdown(ev);
    expect(b.total).toBe(200);
    expect(b.segments.map((s) => [s.key, s.label, s.bytes, s.percent, s.roundedPercent])).toEqual([
      ["header", "Headers", 150, 75, 75],
      ["body", "Body", 40, 20, 20],
      ["framing", "Framing", 10, 5, 5],
    ]);
    expect(b.overheadBytes).toBe(160);
    expect(b.overheadPercent).toBe(80);
    expect(b.estimated).toBe(false);
  });

  it("rounds to whole percents that add up to 100", () => {
    const b = byteBreakdown({ bytes: { header: 1, body: 1, framing: 1 } });
    expect(b.segments.map((s) => s.roundedPercent)).toEqual([34, 33, 33]);
    expect(b.segments.reduce((a, s) => a + s.percent, 0)).toBeCloseTo(100);
    const skewed = byteBreakdown({ bytes: { header: 2, body: 997, framing: 1 } });
    expect(skewed.segments.map((s) => s.roundedPercent)).toEqual([0, 100, 0]);
    const odd = byteBreakdown({ bytes: { header: 7, body: 5, framing: 3 } });
    expect(odd.segments.map((s) => s.roundedPercent).reduce((a, b) => a + b)).toBe(100);
  });

  it("words MQTT segments after the packet structure and flags estimated HTTP/2 headers", () => {
    const mqtt = byteBreakdown(create(TraceEventSchema, { mode: Mode.MQTT, bytes: { header: 20, body: 80 } }));
    expect(mqtt.segments.map((s) => s.label)).toEqual(["Fixed + variable header", "Payload", "Framing"]);
    expect(mqtt.segments[2]).toMatchObject({ bytes: 0, percent: 0, roundedPercent: 0 });
    const h2 = byteBreakdown(create(TraceEventSchema, { mode: Mode.GRPC, bytes: { header: 90, body: 10, headerEstimated: true } }));
    expect(h2.estimated).toBe(true);
    expect(h2.segments[0].estimated).toBe(true);
    expect(h2.segments[0].description).toMatch(/estimated/);
    expect(h2.segments[1].estimated).toBe(false);
  });

  it("gives zeros for an event without counts", () => {
    const b = byteBreakdown(create(TraceEventSchema, {}));
    expect(b.total).toBe(0);
    expect(b.segments.map((s) => [s.bytes, s.percent, s.roundedPercent])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(b.overheadPercent).toBe(0);
  });
});
