import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventKind, Mode, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import { StreamTraceResponseSchema } from "../../lib/gen/lab/v1/lab_pb";
import { UserService } from "../../lib/gen/lab/v1/user_pb";
import { tapHttpExchange } from "../http/http-tap";
import { lighten, TraceHub, type TraceBatch } from "./trace-hub";

const SESSION = "hubspec1";

function parties(spanId: string, mode = Mode.REST) {
  return { session: SESSION, spanId, parentSpanId: "", from: "curl", to: "Gateway", mode };
}

/** Everything a light event keeps: the event without wire, wireTruncated and the header maps. */
function kept(e: TraceEvent) {
  const { wire: _w, wireTruncated: _t, http, ...rest } = e;
  return { ...rest, http: http && { ...http, headers: undefined, trailers: undefined } };
}

/** Delivers every batch of a subscriber to a list (encoded events decoded). */
function collect(hub: TraceHub, opts: { light?: boolean; replay?: boolean; encoded?: boolean } = {}) {
  const events: TraceEvent[] = [];
  const batches: TraceBatch[] = [];
  const stop = hub.subscribe(
    SESSION,
    (b) => {
      batches.push(b);
      if (opts.encoded) {
        expect(b.events).toEqual([]);
        // The runs are `events` fields as on the wire: joined, they are a StreamTraceResponse's events.
        events.push(...fromBinary(StreamTraceResponseSchema, Buffer.concat(b.encoded ?? [])).events);
      } else events.push(...b.events);
    },
    opts,
  );
  return { events, batches, stop };
}

async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** Checks a light stream against a whole one and GetEvents for the same events. */
function expectLightMatchesWhole(hub: TraceHub, light: TraceEvent[], whole: TraceEvent[]) {
  expect(light.length).toBe(whole.length);
  for (let i = 0; i < light.length; i++) {
    const l = light[i];
    const w = whole[i];
    expect(l.seq).toBe(w.seq);
    expect(l.wire).toHaveLength(0);
    expect(l.wireTruncated).toBe(false);
    expect(l.http?.headers ?? {}).toEqual({});
    expect(l.http?.trailers ?? {}).toEqual({});
    // Byte counts, summary, rpc code, content type…: all the same.
    expect(l.bytes).toEqual(w.bytes);
    expect(kept(l)).toEqual(kept(w));
  }
  const got = hub.get(SESSION, whole.map((e) => e.seq));
  expect(got).toEqual(whole);
}

describe("TraceHub light events", () => {
  it("HTTP/1.1: a light event has no wire bytes or headers but the same byte counts; get() returns the whole event", async () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100, flushIntervalMs: 1 });
    closers.push(() => hub.close());
    const light = collect(hub, { light: true });
    const whole = collect(hub);
    const lightEncoded = collect(hub, { light: true, encoded: true });
    const wholeEncoded = collect(hub, { encoded: true });
    let n = 0;
    const server = http.createServer((req, res) => {
      tapHttpExchange(hub, req, res, parties(`span${++n}`));
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        res.setHeader("set-cookie", "secret=1");
        if (req.url === "/big") {
          // Chunked, and past the 4 KiB preview.
          res.write("x".repeat(3000));
          res.end("y".repeat(3000));
        } else res.end(JSON.stringify({ id: "1", name: "n" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await (await fetch(`${base}/rest/users/1`, { headers: { authorization: "Bearer x", "x-custom": "a" } })).text();
    await (await fetch(`${base}/big`, { method: "POST", body: "z".repeat(5000), headers: { "content-type": "text/plain" } })).text();
    await until(() => whole.events.length === 4 && light.events.length === 4);

    const res = whole.events.find((e) => e.kind === EventKind.RESPONSE_SENT && e.http?.path === "/big")!;
    expect(res.wire.length).toBe(4096);
    expect(res.wireTruncated).toBe(true);
    expect(res.bytes?.framing).toBeGreaterThan(0); // chunked transfer-coding
    expect(res.http?.headers["set-cookie"]).toBe("(redacted)");
    expect(whole.events.find((e) => e.kind === EventKind.REQUEST_RECEIVED)?.http?.headers["x-custom"]).toBe("a");
    expect(light.events.every((e) => e.http?.contentType !== undefined)).toBe(true);
    expect(light.events.filter((e) => e.kind === EventKind.RESPONSE_SENT).map((e) => e.http?.contentType)).toEqual(["application/json", "application/json"]);
    expectLightMatchesWhole(hub, light.events, whole.events);
    expect(lightEncoded.events).toEqual(light.events);
    // (Wire previews compared as plain Uint8Arrays: the recorded one is a Buffer.)
    const plain = (e: TraceEvent) => ({ ...e, wire: Uint8Array.from(e.wire) });
    expect(wholeEncoded.events.map(plain)).toEqual(whole.events.map(plain));
  });

  it("HTTP/2 with an RPC code read off the trailers: the same counts light and whole", async () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100, flushIntervalMs: 1 });
    closers.push(() => hub.close());
    const light = collect(hub, { light: true });
    const whole = collect(hub);
    const lightEncoded = collect(hub, { light: true, encoded: true });
    const server = http2.createServer((req, res) => {
      tapHttpExchange(hub, req, res, parties("h2span", Mode.GRPC), { method: UserService.method.getUser });
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/grpc+proto", "x-extra": ["a", "b"] });
        res.addTrailers({ "grpc-status": "5", "grpc-message": "no such user" });
        res.end(new Uint8Array([0, 0, 0, 0, 0]));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => server.close());
    const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.push(() => client.close());
    await new Promise<void>((resolve, reject) => {
      const s = client.request({ ":method": "POST", ":path": "/lab.v1.UserService/GetUser", "content-type": "application/grpc+proto", te: "trailers" });
      s.on("error", reject);
      s.resume();
      s.on("end", () => resolve());
      s.end(new Uint8Array([0, 0, 0, 0, 2, 8, 1]));
    });
    await until(() => whole.events.length === 2 && light.events.length === 2);
    const res = whole.events[1];
    expect(res.rpc?.code).toBe("not_found");
    expect(res.http?.trailers["grpc-status"]).toBe("5");
    expect(res.bytes?.headerEstimated).toBe(true);
    expect(light.events[1].rpc?.code).toBe("not_found");
    expectLightMatchesWhole(hub, light.events, whole.events);
    expect(lightEncoded.events).toEqual(light.events);
  });

  it("plain and already built events are made light too, and a replay to a light subscriber is light", async () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100, flushIntervalMs: 1 });
    closers.push(() => hub.close());
    hub.emit({
      session: SESSION,
      spanId: "m1",
      mode: Mode.MQTT,
      kind: EventKind.MQTT_PACKET,
      bytes: { header: 2, body: 3, framing: 0 },
      mqtt: { packetType: "PUBLISH", topic: "lab/x/y" },
      wire: new Uint8Array([0x30, 3, 1, 2, 3]),
    });
    hub.emit({ session: SESSION, spanId: "h1", http: { method: "GET", path: "/", headers: { a: "b" } }, bytes: { header: 10, body: 0 } });
    hub.recent(SESSION); // builds them whole in the buffer
    hub.emit({ session: SESSION, spanId: "m2", wire: new Uint8Array([1]), bytes: { body: 1 } });
    const light = collect(hub, { light: true, replay: true });
    const lightEncoded = collect(hub, { light: true, replay: true, encoded: true });
    await until(() => light.events.length === 3 && lightEncoded.events.length === 3);
    expect(lightEncoded.events).toEqual(light.events);
    expect(light.events.map((e) => [e.spanId, e.wire.length, Object.keys(e.http?.headers ?? {}).length])).toEqual([
      ["m1", 0, 0],
      ["h1", 0, 0],
      ["m2", 0, 0],
    ]);
    expect(light.events.map((e) => e.bytes?.body)).toEqual([3, 0, 1]);
    const whole = hub.get(SESSION, [1n, 2n, 3n]);
    expect(whole.map((e) => e.wire.length)).toEqual([5, 0, 1]);
    expect(whole[1].http?.headers).toEqual({ a: "b" });
    // The buffer still holds the whole events.
    expect(hub.recent(SESSION).map((e) => e.wire.length)).toEqual([5, 0, 1]);
    expect(lighten(whole[0]).wire).toHaveLength(0);
    expect(whole[0].wire).toHaveLength(5);
  });

  it("get(): in the order asked, each once, evicted and unknown seqs left out", () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 3 });
    for (let i = 1; i <= 5; i++) hub.emit({ session: SESSION, spanId: `s${i}`, summary: `e${i}` });
    // Seqs 1 and 2 fell out of the ring.
    expect(hub.get(SESSION, [5n, 1n, 3n, 3n, 9n, 2n, 4n]).map((e) => e.seq)).toEqual([5n, 3n, 4n]);
    expect(hub.get("nosuch", [1n])).toEqual([]);
    hub.clear(SESSION);
    expect(hub.get(SESSION, [5n])).toEqual([]);
    hub.emit({ session: SESSION, summary: "after reset" });
    expect(hub.get(SESSION, [6n]).map((e) => e.summary)).toEqual(["after reset"]);
  });

  it("lastSeq(): the session's newest seq, 0 before its first event, still counting after a reset", () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 3 });
    expect(hub.lastSeq(SESSION)).toBe(0);
    for (let i = 1; i <= 4; i++) hub.emit({ session: SESSION, summary: `e${i}` });
    expect(hub.lastSeq(SESSION)).toBe(4);
    expect(hub.lastSeq("another")).toBe(0);
    hub.clear(SESSION);
    expect(hub.lastSeq(SESSION)).toBe(4);
    hub.emit({ session: SESSION, summary: "after reset" });
    expect(hub.lastSeq(SESSION)).toBe(5);
  });
});

describe("TraceHub batching", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gathers a busy page's stream for the busy interval, the other pages keep theirs, and a quiet spell brings the short one back; every event delivered in order", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 10, busyFlushIntervalMs: 200 });
    const { events, batches } = collect(hub);
    const other: number[] = [];
    hub.subscribe("otherpage", (b) => other.push(...b.events.map((e) => Number(e.seq))), { light: true });
    const burst = (n: number, session = SESSION) => {
      for (let i = 0; i < n; i++) hub.emit({ session, summary: "e" });
    };

    // A quiet stream: delivered within the short interval.
    burst(3);
    vi.advanceTimersByTime(10);
    expect(events).toHaveLength(3);

    // 300 events: built in slices on the next turns, delivered as one batch; the round marks this page busy.
    burst(300);
    vi.advanceTimersByTime(10);
    for (let i = 0; i < 10; i++) vi.advanceTimersToNextTimer();
    expect(events).toHaveLength(303);
    expect(batches.map((b) => b.events.length)).toEqual([3, 300]);

    // Busy: its next event waits for the busy interval; another page's events still come within 10 ms.
    burst(1);
    burst(1, "otherpage");
    vi.advanceTimersByTime(20);
    expect(other).toEqual([1]);
    expect(events).toHaveLength(303);
    vi.advanceTimersByTime(200);
    expect(events).toHaveLength(304);

    // That round was small: the page is quiet again, and the short interval is back.
    burst(1);
    vi.advanceTimersByTime(10);
    expect(events).toHaveLength(305);
    expect(events.map((e) => Number(e.seq))).toEqual(Array.from({ length: 305 }, (_, i) => i + 1));
    hub.close();
  });

  it("each busy page's held batch goes when its own interval is up, whichever page was held first", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 10, busyFlushIntervalMs: 200 });
    const got = { early: [] as number[], late: [] as number[] };
    for (const page of ["early", "late"] as const) hub.subscribe(page, () => got[page].push(performance.now()), { light: true });
    const burst = (session: string, n: number) => {
      for (let i = 0; i < n; i++) hub.emit({ session, summary: "e" });
    };
    // "early" goes busy first, "late" 100 ms after it.
    burst("early", 300);
    vi.advanceTimersByTime(10);
    for (let i = 0; i < 5; i++) vi.advanceTimersToNextTimer();
    vi.advanceTimersByTime(100 - (performance.now() % 100));
    burst("late", 300);
    vi.advanceTimersByTime(10);
    for (let i = 0; i < 5; i++) vi.advanceTimersToNextTimer();
    const [earlyBusyAt, lateBusyAt] = [got.early[0], got.late[0]];
    // One event each, built in the same round: "late" holds the timer first, "early" is due sooner.
    burst("late", 1);
    burst("early", 1);
    vi.advanceTimersByTime(300);
    expect(got.early[1] - earlyBusyAt).toBeLessThanOrEqual(202);
    expect(got.late[1] - lateBusyAt).toBeLessThanOrEqual(202);
    expect(got.late[1] - lateBusyAt).toBeGreaterThanOrEqual(199);
    hub.close();
  });

  it("close() stops a round under way and leaves no timer behind", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 10 });
    const { events } = collect(hub, { light: true });
    for (let i = 0; i < 2000; i++) hub.emit({ session: SESSION, summary: "e" });
    vi.advanceTimersByTime(10);
    hub.close();
    vi.runAllTimers();
    expect(events.length).toBeLessThan(2000);
    expect(vi.getTimerCount()).toBe(0);
    hub.emit({ session: SESSION, summary: "after close" });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a page that falls behind its backlog gets the newest events and the count it missed, encoded", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 100, subscriberBacklog: 10, flushIntervalMs: 10 });
    const { events, batches } = collect(hub, { light: true, encoded: true });
    for (let i = 1; i <= 25; i++) hub.emit({ session: SESSION, summary: `e${i}` });
    vi.advanceTimersByTime(10);
    expect(batches.map((b) => b.dropped)).toEqual([15]);
    expect(events.map((e) => e.summary)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i + 16}`));
    hub.close();
  });

  it("a big batch goes in parts of about 256 KiB, every event once and in order", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 10 });
    const { events, batches } = collect(hub, { light: true, encoded: true });
    const label = "x".repeat(200);
    for (let i = 0; i < 3000; i++) hub.emit({ session: SESSION, summary: `${label} ${i}` });
    vi.advanceTimersByTime(10);
    for (let i = 0; i < 60; i++) vi.advanceTimersToNextTimer();
    const sizes = batches.map((b) => (b.encoded ?? []).reduce((n, run) => n + run.length, 0));
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(256 * 1024);
    for (const size of sizes) expect(size).toBeLessThan(256 * 1024 + 256 * 300);
    expect(events.map((e) => e.summary)).toEqual(Array.from({ length: 3000 }, (_, i) => `${label} ${i}`));
    hub.close();
  });

  it("steady traffic is still batched: events arriving during a round wait for the next batch", async () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 50 });
    const { events, batches } = collect(hub);
    let emitted = 0;
    // One event per millisecond, for 300 ms: about six batches of 50 ms, not one per event-loop turn.
    const tick = setInterval(() => {
      hub.emit({ session: SESSION, summary: "e" });
      emitted++;
    }, 1);
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(tick);
    await until(() => events.length === emitted);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(events.map((e) => Number(e.seq))).toEqual(Array.from({ length: emitted }, (_, i) => i + 1));
    hub.close();
  });

  it("a turn builds at most 256 events for all pages together, every page gets its turn, and each page gets its round's events in one batch", () => {
    vi.useFakeTimers();
    const hub = new TraceHub({ enabled: true, bufferEvents: 10_000, flushIntervalMs: 10 });
    const built = new Map<string, number>();
    const pages = Array.from({ length: 10 }, (_, p) => {
      const got: number[][] = [];
      hub.subscribe(`page${p}`, (b) => got.push(b.events.map((e) => Number(e.seq))), { light: true });
      return got;
    });
    for (let i = 0; i < 100; i++) {
      for (let p = 0; p < pages.length; p++) {
        const session = `page${p}`;
        hub.emit({
          session,
          build: () => {
            built.set(session, (built.get(session) ?? 0) + 1);
            return { summary: "e" };
          },
        });
      }
    }
    const builtAll = () => [...built.values()].reduce((a, b) => a + b, 0);
    vi.advanceTimersByTime(10);
    // The first turn: 256 events, four pages' slices of 64; none of them finished, so nothing is delivered yet.
    expect(builtAll()).toBe(256);
    expect(pages.every((got) => got.length === 0)).toBe(true);
    // The next turn starts with the pages the first did not reach.
    vi.advanceTimersToNextTimer();
    expect(builtAll()).toBe(512);
    expect([4, 5, 6, 7].map((p) => built.get(`page${p}`))).toEqual([64, 64, 64, 64]);
    for (let i = 0; i < 20; i++) vi.advanceTimersToNextTimer();
    for (const got of pages) expect(got).toEqual([Array.from({ length: 100 }, (_, i) => i + 1)]);
    hub.close();
  });
});
