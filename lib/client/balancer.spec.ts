import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UserSchema, type User } from "../gen/lab/v1/user_pb";
import { createRoundRobin } from "./balancer";
import { withDefences } from "./defences";
import type { CallOptions, CallResult, ModeClient, ModeName } from "./types";

/**
 * Round-robin over instances and the fallback to another mode, against
 * in-memory mode clients whose answers the test decides (real sockets:
 * test/instances.spec.ts).
 */

let spans = 0;

/** A mode client whose GetUser answers `status()`; it records every attempt it got. */
function fake(name: string, status: () => string, mode: ModeName = "connect") {
  const got: CallOptions[] = [];
  const client: ModeClient = {
    mode,
    async getUser(id, call) {
      got.push(call);
      const s = status();
      const ok = s === "ok" || s === "200";
      const r: CallResult<User> = { ok, status: s, latencyMs: 1, requestBytes: 1, responseBytes: 1, spanId: `${name}-${++spans}`, spanIds: [], attempts: call.attempt, retried: call.attempt > 1 };
      r.spanIds = [r.spanId];
      if (ok) r.value = create(UserSchema, { id, name });
      return r;
    },
    createUser: () => Promise.reject(new Error("unused")),
    echo: () => Promise.reject(new Error("unused")),
    listUsers: () => Promise.reject(new Error("unused")),
    createOrder: () => Promise.reject(new Error("unused")),
    close: async () => {},
  };
  return { client, got };
}

const noRetry = { timeoutMs: 0, retry: { maxAttempts: 1 } };
const instant = { sleep: async () => {} };

describe("createRoundRobin", () => {
  it("sends each attempt to the next instance in turn", async () => {
    const a = fake("a", () => "ok");
    const b = fake("b", () => "ok");
    const rr = withDefences(createRoundRobin([a.client, b.client]), noRetry, instant);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((await rr.getUser(1n)).value!.name);
    expect(names).toEqual(["a", "b", "a", "b"]);
  });

  it("with one instance down, fails every other call; a retry goes to the next instance", async () => {
    const a = fake("a", () => "ok");
    const b = fake("b", () => "unavailable");
    const plain = withDefences(createRoundRobin([a.client, b.client]), noRetry, instant);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push((await plain.getUser(1n)).status);
    expect(outcomes).toEqual(["ok", "unavailable", "ok", "unavailable"]);

    const retried = withDefences(createRoundRobin([a.client, b.client]), { timeoutMs: 0, retry: { maxAttempts: 2, budgetPercent: 0 } }, instant);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await retried.getUser(1n));
    expect(results.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok"]);
    // The retry takes a turn too: after a → b✗ → a, the next call starts at b again.
    expect(results.map((r) => r.attempts)).toEqual([1, 2, 2, 2]);
  });

  it("ejects an instance after a transport failure for ejectMs, then tries it again", async () => {
    let t = 0;
    const a = fake("a", () => "ok");
    const b = fake("b", () => "unavailable");
    const rr = withDefences(createRoundRobin([a.client, b.client], { ejectMs: 1_000, now: () => t }), noRetry, instant);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push((await rr.getUser(1n)).status);
    // a, then b fails and is out; a, a, a.
    expect(outcomes).toEqual(["ok", "unavailable", "ok", "ok", "ok"]);
    expect(b.got).toHaveLength(1);
    t = 1_001;
    await rr.getUser(1n);
    await rr.getUser(1n);
    expect(b.got).toHaveLength(2);
  });

  it("does not eject for an answer that is not a transport failure", async () => {
    const a = fake("a", () => "ok");
    const b = fake("b", () => "not_found");
    const rr = withDefences(createRoundRobin([a.client, b.client], { ejectMs: 1_000 }), noRetry, instant);
    for (let i = 0; i < 4; i++) await rr.getUser(1n);
    expect(b.got).toHaveLength(2);
  });

  it("goes over every instance again when all are out", async () => {
    const a = fake("a", () => "unavailable");
    const b = fake("b", () => "unavailable");
    const rr = withDefences(createRoundRobin([a.client, b.client], { ejectMs: 60_000 }), noRetry, instant);
    for (let i = 0; i < 4; i++) await rr.getUser(1n);
    expect([a.got.length, b.got.length]).toEqual([2, 2]);
  });
});

describe("fallback to another mode", () => {
  it("makes one more attempt over the fallback after a transient failure, numbered after the others", async () => {
    const primary = fake("connect", () => "unavailable");
    const rest = fake("rest", () => "200", "rest");
    const c = withDefences(primary.client, { ...noRetry, fallback: rest.client }, instant);
    const r = await c.getUser(1n);
    expect(r).toMatchObject({ ok: true, status: "200", attempts: 2, retried: true, fellBackTo: "rest" });
    expect(rest.got).toEqual([{ attempt: 2, retryOfSpanId: r.spanIds[0], deadlineUnixMs: undefined }]);
  });

  it("comes after the retries, and not at all for an answer such as not_found", async () => {
    const primary = fake("connect", () => "unavailable");
    const rest = fake("rest", () => "200", "rest");
    const c = withDefences(primary.client, { timeoutMs: 0, retry: { maxAttempts: 3, budgetPercent: 0 }, fallback: rest.client }, instant);
    const r = await c.getUser(1n);
    expect(r.attempts).toBe(4);
    expect(primary.got.map((x) => x.attempt)).toEqual([1, 2, 3]);
    expect(rest.got.map((x) => x.attempt)).toEqual([4]);

    const missing = fake("connect", () => "not_found");
    const rest2 = fake("rest", () => "200", "rest");
    const d = withDefences(missing.client, { ...noRetry, fallback: rest2.client }, instant);
    expect((await d.getUser(9n)).status).toBe("not_found");
    expect(rest2.got).toHaveLength(0);
  });

  it("reports the fallback's failure when both paths fail", async () => {
    const primary = fake("connect", () => "unavailable");
    const rest = fake("rest", () => "503", "rest");
    const r = await withDefences(primary.client, { ...noRetry, fallback: rest.client }, instant).getUser(1n);
    expect(r).toMatchObject({ ok: false, status: "503", attempts: 2, fellBackTo: "rest" });
  });
});
