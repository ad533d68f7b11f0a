import { describe, expect, it } from "vitest";
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import { restEchoBody } from "../client";
import { EchoRequestSchema, PayloadShape } from "../gen/lab/v1/measure_pb";
import { encodedSizes, jsonBytes, makeEchoRequest, sizeSweep, utf8Length } from "./payload";

describe("echo payloads", () => {
  const shapes = [PayloadShape.USERS, PayloadShape.NUMBERS, PayloadShape.TEXT];

  it.each(shapes)("shape %s fills the size as JSON without going over", (shape) => {
    for (const bytes of [64, 1000, 4096, 65_536]) {
      const m = makeEchoRequest(shape, bytes, 42);
      const size = jsonBytes(m);
      expect(size).toBeLessThanOrEqual(bytes);
      // Users are the coarsest grain (~60 bytes each).
      expect(size).toBeGreaterThan(bytes - 80);
      expect(size).toBe(new TextEncoder().encode(toJsonString(EchoRequestSchema, m)).length);
    }
  });

  it("is the same for the same seed, and differs for another", () => {
    const a = toBinary(EchoRequestSchema, makeEchoRequest(PayloadShape.USERS, 2048, 7));
    expect(toBinary(EchoRequestSchema, makeEchoRequest(PayloadShape.USERS, 2048, 7))).toEqual(a);
    expect(toBinary(EchoRequestSchema, makeEchoRequest(PayloadShape.USERS, 2048, 8))).not.toEqual(a);
  });

  it("reports each encoding's size as the clients send it", () => {
    const m = makeEchoRequest(PayloadShape.USERS, 4096, 1);
    const s = encodedSizes(m);
    expect(s.protobuf).toBe(toBinary(EchoRequestSchema, m).length);
    expect(s.grpcFramed).toBe(s.protobuf + 5);
    expect(s.restJson).toBe(utf8Length(JSON.stringify(restEchoBody(m))));
    // REST writes ids as numbers, protobuf JSON as strings: REST is a little smaller.
    expect(s.restJson).toBeLessThan(s.protoJson);
    expect(s.protobuf).toBeLessThan(s.restJson);
  });

  it("text costs the same bytes in both encodings; users and numbers do not", () => {
    const [text] = sizeSweep(PayloadShape.TEXT, 1, [16_384]);
    const [users] = sizeSweep(PayloadShape.USERS, 1, [16_384]);
    expect(text.ratio).toBeGreaterThan(0.99);
    expect(users.ratio).toBeLessThan(0.9);
  });

  it("counts UTF-8 as TextEncoder does", () => {
    for (const s of ["", "abc", "张三", "é", "😀x", "a😀张"]) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});
