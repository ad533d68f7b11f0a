import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { createContextValues, createHandlerContext, ConnectError } from "@connectrpc/connect";
import { EchoRequestSchema, EchoService, PayloadShape } from "../../lib/gen/lab/v1/measure_pb";
import { makeEchoRequest, MEASURE_LIMITS } from "../../lib/measure";
import { echoProtobufSize, echoService } from "./echo-service";

const ctx = () =>
  createHandlerContext({ service: EchoService, method: EchoService.method.echo, protocolName: "test", requestMethod: "POST", url: "test://", contextValues: createContextValues() });

describe("echo service", () => {
  it("counts the protobuf size exactly, without encoding", () => {
    for (const shape of [PayloadShape.USERS, PayloadShape.NUMBERS, PayloadShape.TEXT]) {
      for (const bytes of [16, 300, 4096, 65_536]) {
        const m = makeEchoRequest(shape, bytes, bytes);
        expect(echoProtobufSize(m)).toBe(toBinary(EchoRequestSchema, m).length);
      }
    }
    const edge = create(EchoRequestSchema, { numbers: [0, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31)], users: [{ id: 0n, name: "", email: "e" }, { id: 2n ** 62n, name: "😀", email: "" }] });
    expect(echoProtobufSize(edge)).toBe(toBinary(EchoRequestSchema, edge).length);
  });

  it("answers with the request, and refuses one over MEASURE_LIMITS.payloadBytes naming the limit", () => {
    const m = makeEchoRequest(PayloadShape.USERS, 1000, 3);
    expect(toBinary(EchoRequestSchema, create(EchoRequestSchema, echoService.echo(m, ctx()) as never))).toEqual(toBinary(EchoRequestSchema, m));
    const big = create(EchoRequestSchema, { text: "x".repeat(MEASURE_LIMITS.payloadBytes) });
    expect(() => echoService.echo(big, ctx())).toThrow(ConnectError);
    expect(() => echoService.echo(big, ctx())).toThrow(/over the limit of 65,536 bytes \(MEASURE_LIMITS\.payloadBytes\)/);
  });
});
