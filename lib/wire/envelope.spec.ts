import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createServer, type Server } from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GetUserRequestSchema,
  GetUserResponseSchema,
  ListUsersRequestSchema,
  ListUsersResponseSchema,
  UserService,
} from "../gen/lab/v1/user_pb";
import {
  bodyFormatForContentType,
  encodeEnvelope,
  parseConnectEndStream,
  parseGrpcWebTrailers,
  splitEnvelopes,
} from "./envelope";
import { decodeProtobuf } from "./protobuf-wire";

const enc = new TextEncoder();

describe("splitEnvelopes on hand-built frames", () => {
  it("splits gRPC frames and reports offsets, flags and lengths", () => {
    const a = Uint8Array.of(0x08, 0x01);
    const b = new Uint8Array(300).fill(0x41);
    const body = Uint8Array.of(...encodeEnvelope(0, a), ...encodeEnvelope(1, b));
    expect(Array.from(body.subarray(0, 7))).toEqual([0, 0, 0, 0, 2, 0x08, 0x01]);
    expect(Array.from(body.subarray(7, 12))).toEqual([1, 0, 0, 0x01, 0x2c]); // 300 big-endian
    const s = splitEnvelopes(body, "grpc");
    expect(s.error).toBeUndefined();
    expect(s.framingBytes).toBe(10);
    expect(s.payloadBytes).toBe(302);
    expect(s.frames).toHaveLength(2);
    expect(s.frames[0]).toMatchObject({
      index: 0,
      offset: 0,
      length: 7,
      prefix: { offset: 0, length: 5 },
      flags: 0,
      flagNames: [],
      compressed: false,
      kind: "message",
      declaredLength: 2,
      actualLength: 2,
      truncated: false,
      payload: { offset: 5, length: 2 },
    });
    expect(Array.from(s.frames[0].data)).toEqual([0x08, 0x01]);
    expect(s.frames[1]).toMatchObject({ offset: 7, flags: 1, flagNames: ["compressed"], compressed: true, declaredLength: 300, payload: { offset: 12, length: 300 } });
    expect(s.frames[1].note).toMatch(/compressed/);
  });

  it("decodes flag names per protocol", () => {
    const body = Uint8Array.of(...encodeEnvelope(0x80, enc.encode("grpc-status: 0\r\n")));
    expect(splitEnvelopes(body, "grpc-web").frames[0]).toMatchObject({ kind: "trailers", flagNames: ["trailers"], unknownFlags: 0 });
    // In native gRPC 0x80 is a reserved bit, not a trailers frame.
    expect(splitEnvelopes(body, "grpc").frames[0]).toMatchObject({ kind: "message", flagNames: ["reserved 0x80"], unknownFlags: 0x80 });
    const end = Uint8Array.of(...encodeEnvelope(0x02, enc.encode("{}")));
    expect(splitEnvelopes(end, "connect").frames[0]).toMatchObject({ kind: "end-stream", flagNames: ["end-stream"] });
    expect(splitEnvelopes(end, "grpc-web").frames[0]).toMatchObject({ kind: "message", unknownFlags: 0x02 });
    const both = Uint8Array.of(...encodeEnvelope(0x03, new Uint8Array(0)));
    expect(splitEnvelopes(both, "connect").frames[0]).toMatchObject({ flagNames: ["compressed", "end-stream"], compressed: true, kind: "end-stream" });
    expect(splitEnvelopes(both, "connect").frames[0].endStream).toBeUndefined(); // compressed: not parsed
  });

  it("reports a truncated last frame and an incomplete prefix", () => {
    const full = encodeEnvelope(0, new Uint8Array(10).fill(7));
    const cut = splitEnvelopes(full.subarray(0, 9), "grpc-web", { baseOffset: 40 });
    expect(cut.frames[0]).toMatchObject({ offset: 40, declaredLength: 10, actualLength: 4, truncated: true, length: 9, payload: { offset: 45, length: 4 } });
    expect(cut.error).toEqual({ offset: 40, reason: expect.stringMatching(/declares 10 bytes but only 4/) });
    const partial = splitEnvelopes(Uint8Array.of(...encodeEnvelope(0, Uint8Array.of(1)), 0x00, 0x00, 0x00), "grpc");
    expect(partial.frames).toHaveLength(1);
    expect(partial.error).toEqual({ offset: 6, reason: expect.stringMatching(/3 bytes left, not enough for a 5-byte frame prefix/) });
  });

  it("handles empty bodies and empty messages", () => {
    expect(splitEnvelopes(new Uint8Array(0), "grpc")).toEqual({ protocol: "grpc", frames: [], framingBytes: 0, payloadBytes: 0 });
    const empty = splitEnvelopes(encodeEnvelope(0, new Uint8Array(0)), "connect");
    expect(empty.frames[0]).toMatchObject({ declaredLength: 0, actualLength: 0, truncated: false });
    expect(empty.error).toBeUndefined();
  });
});

describe("gRPC-web trailers and Connect end-of-stream payloads", () => {
  it("parses trailer lines with offsets and percent-decodes grpc-message", () => {
    const t = parseGrpcWebTrailers(enc.encode("grpc-status: 5\r\nGrpc-Message: user%20not%20found\r\nx-extra:  a b \n"), 100);
    expect(t.entries).toEqual([
      { name: "grpc-status", value: "5", offset: 100, length: 14 },
      { name: "grpc-message", value: "user%20not%20found", offset: 116, length: 32 },
      { name: "x-extra", value: "a b", offset: 150, length: 14 },
    ]);
    expect(t.grpcStatus).toBe(5);
    expect(t.grpcStatusName).toBe("NOT_FOUND");
    expect(t.grpcMessage).toBe("user not found");
    expect(t.error).toBeUndefined();
    expect(parseGrpcWebTrailers(enc.encode("garbage\r\n")).error).toEqual({ offset: 0, reason: expect.stringMatching(/name: value/) });
  });

  it("parses Connect end-of-stream JSON", () => {
    expect(parseConnectEndStream(enc.encode("{}"))).toEqual({ text: "{}" });
    const e = parseConnectEndStream(enc.encode('{"error":{"code":"not_found","message":"gone","details":[]},"metadata":{"x-a":["1","2"]}}'));
    expect(e.error).toEqual({ code: "not_found", message: "gone", details: [] });
    expect(e.metadata).toEqual({ "x-a": ["1", "2"] });
    expect(parseConnectEndStream(enc.encode("{oops")).parseError).toMatch(/not JSON/);
    expect(parseConnectEndStream(enc.encode("[1]")).parseError).toMatch(/object/);
    expect(parseConnectEndStream(Uint8Array.of(0xff)).parseError).toMatch(/UTF-8/);
  });

  it("maps content types to framing and codec", () => {
    expect(bodyFormatForContentType("application/grpc")).toEqual({ framing: "grpc", codec: "proto" });
    expect(bodyFormatForContentType("application/grpc+json")).toEqual({ framing: "grpc", codec: "json" });
    expect(bodyFormatForContentType("application/grpc-web+proto")).toEqual({ framing: "grpc-web", codec: "proto" });
    expect(bodyFormatForContentType("application/grpc-web-text")).toEqual({ framing: "grpc-web", codec: "proto", base64: true });
    expect(bodyFormatForContentType("application/connect+json; charset=utf-8")).toEqual({ framing: "connect", codec: "json" });
    expect(bodyFormatForContentType("application/proto")).toEqual({ framing: "none", codec: "proto" });
    expect(bodyFormatForContentType("Application/JSON")).toEqual({ framing: "none", codec: "json" });
    expect(bodyFormatForContentType("text/html")).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Real bodies from a real Connect server (connect-node serves Connect, gRPC
// and gRPC-web on the same handler).

const NOT_FOUND_MESSAGE = "user 404 not found: 用户不存在";

function handler() {
  return connectNodeAdapter({
    routes: (router) =>
      router.service(UserService, {
        getUser(req) {
          if (req.id === 404n) throw new ConnectError(NOT_FOUND_MESSAGE, Code.NotFound);
          return { user: { id: req.id, name: "Ada", email: "ada@example.com" } };
        },
        async *listUsers(req, ctx) {
          ctx.responseTrailer.set("x-count", String(req.limit));
          for (let i = 1; i <= req.limit; i++) yield { user: { id: BigInt(i), name: `user ${i}`, email: "" } };
          if (req.intervalMs === 999) throw new ConnectError("stream broke", Code.Unavailable);
        },
      }),
  });
}

let h1: Server;
let h2: http2.Http2Server;
let h1Url = "";
let h2Url = "";

beforeAll(async () => {
  h1 = createServer(handler());
  h2 = http2.createServer(handler());
  await Promise.all([new Promise<void>((r) => h1.listen(0, "127.0.0.1", r)), new Promise<void>((r) => h2.listen(0, "127.0.0.1", r))]);
  h1Url = `http://127.0.0.1:${(h1.address() as AddressInfo).port}`;
  h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([new Promise((r) => h1.close(r)), new Promise((r) => h2.close(r))]);
});

async function post(path: string, contentType: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(h1Url + path, { method: "POST", headers: { "content-type": contentType, ...headers }, body: new Uint8Array(body) });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

describe("splitEnvelopes on real server bodies", () => {
  it("gRPC-web unary: one message frame, then a trailers frame with grpc-status 0", async () => {
    const req = encodeEnvelope(0, toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: 7n })));
    const res = await post("/lab.v1.UserService/GetUser", "application/grpc-web+proto", req, { "x-grpc-web": "1" });
    expect(res.status).toBe(200);
    const s = splitEnvelopes(res.body, "grpc-web");
    expect(s.error).toBeUndefined();
    expect(s.frames.map((f) => f.kind)).toEqual(["message", "trailers"]);
    const msg = fromBinary(GetUserResponseSchema, s.frames[0].data);
    expect(msg.user?.id).toBe(7n);
    expect(decodeProtobuf(s.frames[0].data, { schema: GetUserResponseSchema }).error).toBeUndefined();
    const t = s.frames[1].trailers!;
    expect(t.grpcStatus).toBe(0);
    expect(t.grpcStatusName).toBe("OK");
    expect(t.entries.map((e) => e.name)).toContain("grpc-status");
    // Offsets of trailer lines point into the body.
    const first = t.entries[0];
    expect(new TextDecoder().decode(res.body.subarray(first.offset, first.offset + first.length))).toMatch(/^grpc-status: 0$/i);
    expect(s.framingBytes).toBe(10);
    expect(s.payloadBytes + s.framingBytes).toBe(res.body.length);
  });

  it("gRPC-web error: the trailers carry grpc-status 5 and a percent-encoded message", async () => {
    const req = encodeEnvelope(0, toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: 404n })));
    const res = await post("/lab.v1.UserService/GetUser", "application/grpc-web+proto", req, { "x-grpc-web": "1" });
    // connect-node answers gRPC-web errors with a body holding only the trailers frame.
    const s = splitEnvelopes(res.body, "grpc-web");
    expect(s.frames.map((f) => f.kind)).toEqual(["trailers"]);
    const trailers = s.frames[0].trailers;
    expect(trailers?.grpcStatus).toBe(5);
    expect(trailers?.grpcStatusName).toBe("NOT_FOUND");
    expect(trailers?.grpcMessage).toBe(NOT_FOUND_MESSAGE);
    const raw = trailers?.entries.find((e) => e.name === "grpc-message")?.value;
    expect(raw).not.toBe(NOT_FOUND_MESSAGE); // it is percent-encoded on the wire
  });

  it("Connect server streaming: message frames then an end-of-stream frame with metadata", async () => {
    const req = encodeEnvelope(0, toBinary(ListUsersRequestSchema, create(ListUsersRequestSchema, { limit: 3 })));
    const res = await post("/lab.v1.UserService/ListUsers", "application/connect+proto", req, { "connect-protocol-version": "1" });
    expect(res.status).toBe(200);
    const s = splitEnvelopes(res.body, "connect");
    expect(s.error).toBeUndefined();
    expect(s.frames.map((f) => f.kind)).toEqual(["message", "message", "message", "end-stream"]);
    expect(s.frames.slice(0, 3).map((f) => fromBinary(ListUsersResponseSchema, f.data).user?.name)).toEqual(["user 1", "user 2", "user 3"]);
    const end = s.frames[3];
    expect(end.flags).toBe(0x02);
    expect(end.endStream?.parseError).toBeUndefined();
    expect(end.endStream?.error).toBeUndefined();
    expect(end.endStream?.metadata?.["x-count"]).toEqual(["3"]);
  });

  it("Connect server streaming error: the end-of-stream JSON carries the error", async () => {
    const req = encodeEnvelope(0, enc.encode(JSON.stringify({ limit: 1, intervalMs: 999 })));
    const res = await post("/lab.v1.UserService/ListUsers", "application/connect+json", req, { "connect-protocol-version": "1" });
    const s = splitEnvelopes(res.body, "connect");
    expect(s.frames.map((f) => f.kind)).toEqual(["message", "end-stream"]);
    expect(JSON.parse(new TextDecoder().decode(s.frames[0].data))).toMatchObject({ user: { id: "1", name: "user 1" } });
    expect(s.frames[1].endStream?.error).toMatchObject({ code: "unavailable", message: "stream broke" });
  });

  it("native gRPC over HTTP/2: DATA holds only message frames (trailers are HTTP/2 headers)", async () => {
    const session = http2.connect(h2Url);
    try {
      const { body, trailers } = await new Promise<{ body: Uint8Array; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/lab.v1.UserService/ListUsers",
          "content-type": "application/grpc+proto",
          te: "trailers",
        });
        const chunks: Buffer[] = [];
        let trailers: http2.IncomingHttpHeaders = {};
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("trailers", (t) => (trailers = t));
        stream.on("end", () => resolve({ body: new Uint8Array(Buffer.concat(chunks)), trailers }));
        stream.on("error", reject);
        stream.end(encodeEnvelope(0, toBinary(ListUsersRequestSchema, create(ListUsersRequestSchema, { limit: 2 }))));
      });
      expect(trailers["grpc-status"]).toBe("0");
      const s = splitEnvelopes(body, "grpc");
      expect(s.error).toBeUndefined();
      expect(s.frames.map((f) => [f.kind, f.flags])).toEqual([
        ["message", 0],
        ["message", 0],
      ]);
      expect(fromBinary(ListUsersResponseSchema, s.frames[1].data).user?.id).toBe(2n);
    } finally {
      session.close();
    }
  });
});
