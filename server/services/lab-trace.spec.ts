import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { LabService } from "../../lib/gen/lab/v1/lab_pb";
import { EventKind, Mode, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import type { Sandbox } from "../sandbox/sandbox";
import { MAX_GET_EVENTS, TraceHub } from "../trace/trace-hub";
import { kHop } from "./hop-context";
import { createLabTraceMethods } from "./lab-trace";

const SESSION = "tracesvc1";

/** LabService's trace methods behind an in-memory Connect transport (binary, as the page uses). */
function setup() {
  const hub = new TraceHub({ enabled: true, bufferEvents: 1000, flushIntervalMs: 1 });
  const transport = createRouterTransport(
    (router) => {
      router.service(LabService, createLabTraceMethods(hub));
    },
    {
      router: {
        interceptors: [
          (next) => (req) => {
            req.contextValues.set(kHop, { session: SESSION, sandbox: {} as Sandbox, spanId: "s", from: "test" });
            return next(req);
          },
        ],
      },
    },
  );
  return { hub, lab: createClient(LabService, transport) };
}

/** A response as the HTTP tap records it: headers, trailers, a 4 KiB preview of a longer body. */
function emitResponse(hub: TraceHub, spanId: string) {
  hub.emit({
    session: SESSION,
    build: () => ({
      spanId,
      from: "UserService",
      to: "Browser",
      mode: Mode.GRPC_WEB,
      kind: EventKind.RESPONSE_SENT,
      summary: "ok",
      bytes: { header: 180, body: 5000, framing: 10 },
      http: { status: 200, version: "HTTP/1.1", contentType: "application/grpc-web+proto", headers: { "content-type": "application/grpc-web+proto" }, trailers: { "grpc-status": "0" } },
      rpc: { service: "lab.v1.UserService", method: "GetUser", code: "ok" },
      wire: new Uint8Array(4096).fill(7),
      wireTruncated: true,
    }),
  });
}

const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

describe("LabService trace methods", () => {
  it("StreamTrace with light: no wire bytes or header maps, same byte counts; GetEvents returns the whole event", async () => {
    const { hub, lab } = setup();
    stops.push(() => hub.close());
    emitResponse(hub, "a1");
    const abort = new AbortController();
    stops.push(() => abort.abort());
    const stream = lab.streamTrace({ replay: true, light: true }, { signal: abort.signal })[Symbol.asyncIterator]();
    const first = await stream.next();
    emitResponse(hub, "a2");
    const second = await stream.next();
    const light = [...first.value.events, ...second.value.events];
    expect(light.map((e) => e.spanId)).toEqual(["a1", "a2"]);
    for (const e of light) {
      expect(e.wire).toHaveLength(0);
      expect(e.wireTruncated).toBe(false);
      expect(e.http?.headers).toEqual({});
      expect(e.http?.trailers).toEqual({});
      expect(e.http?.contentType).toBe("application/grpc-web+proto");
      expect(e.bytes).toMatchObject({ header: 180, body: 5000, framing: 10 });
      expect(e.rpc?.code).toBe("ok");
    }

    const { events } = await lab.getEvents({ seqs: light.map((e) => e.seq) });
    expect(events.map((e) => e.seq)).toEqual([1n, 2n]);
    for (const [i, e] of events.entries()) {
      expect(e.wire).toHaveLength(4096);
      expect(e.wireTruncated).toBe(true);
      expect(e.http?.headers).toEqual({ "content-type": "application/grpc-web+proto" });
      expect(e.http?.trailers).toEqual({ "grpc-status": "0" });
      expect(e.bytes).toEqual(light[i].bytes);
      expect({ ...e, wire: undefined, wireTruncated: undefined, http: { ...e.http, headers: {}, trailers: {} } }).toEqual({
        ...light[i],
        wire: undefined,
        wireTruncated: undefined,
        http: light[i].http,
      });
    }

    // Without light, the stream carries whole events as before.
    const whole = lab.streamTrace({ replay: true }, { signal: abort.signal })[Symbol.asyncIterator]();
    const replayed: TraceEvent[] = (await whole.next()).value.events;
    expect(replayed.map((e) => e.wire.length)).toEqual([4096, 4096]);
    abort.abort();
  });

  it("GetEvents leaves out unknown seqs and refuses more than 500 seqs with invalid_argument", async () => {
    const { hub, lab } = setup();
    stops.push(() => hub.close());
    emitResponse(hub, "b1");
    expect((await lab.getEvents({ seqs: [1n, 2n, 99n] })).events.map((e) => e.spanId)).toEqual(["b1"]);
    expect((await lab.getEvents({ seqs: [] })).events).toEqual([]);
    // Exactly the limit is fine.
    const limit = Array.from({ length: MAX_GET_EVENTS }, (_, i) => BigInt(i + 1));
    expect((await lab.getEvents({ seqs: limit })).events).toHaveLength(1);
    const err = await lab.getEvents({ seqs: [...limit, 501n] }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(MAX_GET_EVENTS).toBe(500);
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toMatch(/at most 500 seqs/);
  });
});
