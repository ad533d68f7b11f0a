import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { TraceEventSchema, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { fetchWhole, isLight, knownWhole, markLight, MAX_SEQS_PER_CALL, setWholeEventSource, wholeEvents } from "./whole-events";

/** A whole server event and its light copy, as the light stream delivers it. */
function pair(seq: bigint): { whole: TraceEvent; light: TraceEvent } {
  const whole = create(TraceEventSchema, {
    seq,
    summary: `e${seq}`,
    bytes: { header: 10, body: 3 },
    http: { method: "GET", headers: { a: "1" } },
    wire: new Uint8Array([1, 2, 3]),
  });
  const light: TraceEvent = { ...whole, wire: new Uint8Array(0), http: whole.http && { ...whole.http, headers: {} } };
  return { whole, light };
}

/** A fake GetEvents over a server buffer that still has `kept`, recording its calls. */
function server(kept: TraceEvent[]) {
  const calls: bigint[][] = [];
  setWholeEventSource(async (seqs) => {
    calls.push([...seqs]);
    if (seqs.length > MAX_SEQS_PER_CALL) throw new Error("too many seqs");
    await new Promise((r) => setTimeout(r, 1));
    return kept.filter((e) => seqs.includes(e.seq));
  });
  return calls;
}

afterEach(() => setWholeEventSource(undefined));

describe("whole-events: light events and GetEvents", () => {
  it("marks only events of the light stream, never browser events (seq 0)", () => {
    const { light } = pair(1n);
    const browser = create(TraceEventSchema, { summary: "browser" });
    const other = pair(2n).light;
    markLight([light, browser]);
    expect(isLight(light)).toBe(true);
    expect(isLight(browser)).toBe(false);
    // Marks are per object: an equal event from a file is whole.
    expect(isLight(other)).toBe(false);
    expect(knownWhole(browser)).toBe(browser);
    expect(knownWhole(light)).toBeUndefined();
  });

  it("fetches whole events in calls of at most 500 seqs, once each, and keeps evicted ones light", async () => {
    const pairs = Array.from({ length: 1201 }, (_, i) => pair(BigInt(i + 1)));
    const lights = pairs.map((p) => p.light);
    markLight(lights);
    // The server no longer has seq 1.
    const calls = server(pairs.slice(1).map((p) => p.whole));
    const browser = create(TraceEventSchema, { summary: "browser" });
    const [a, b] = await Promise.all([wholeEvents([browser, ...lights, lights[5]]), wholeEvents(lights.slice(0, 10))]);
    expect(calls.map((c) => c.length)).toEqual([500, 500, 201]);
    expect(a[0]).toBe(browser);
    expect(a[1]).toBe(lights[0]);
    expect(knownWhole(lights[0])).toBeNull();
    expect(a.slice(2, -1)).toEqual(pairs.slice(1).map((p) => p.whole));
    expect(a[a.length - 1]).toBe(pairs[5].whole);
    expect(b[3]).toBe(pairs[3].whole);
    // Known now: no more calls.
    await fetchWhole(lights);
    expect(calls).toHaveLength(3);
  });

  it("a failed call rejects and is tried again next time", async () => {
    const { whole, light } = pair(7n);
    markLight([light]);
    setWholeEventSource(async () => {
      throw new Error("offline");
    });
    await expect(fetchWhole([light])).rejects.toThrow("offline");
    expect(knownWhole(light)).toBeUndefined();
    server([whole]);
    expect(await wholeEvents([light])).toEqual([whole]);
  });

  it("without a connection, light events cannot be fetched", async () => {
    const { light } = pair(8n);
    markLight([light]);
    await expect(fetchWhole([light])).rejects.toThrow(/not connected/);
    expect(await wholeEvents([])).toEqual([]);
  });
});
