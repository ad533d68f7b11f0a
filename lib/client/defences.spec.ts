import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DefencesSchema } from "../gen/lab/v1/fault_pb";
import { EventKind, Mode, type TraceEvent } from "../gen/lab/v1/trace_pb";
import { UserSchema, type User } from "../gen/lab/v1/user_pb";
import { rpcRequestTopic } from "../topics";
import { LAB_HEADERS } from "../trace";
import { ClientCall } from "./client-trace";
import {
  attemptTimeoutMs,
  backoffMs,
  callDeadline,
  clientOptionsFromDefences,
  DEFAULT_TIMEOUT_MS,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyHeaderValue,
  isRetryableStatus,
  newIdempotencyKey,
  normaliseRetryPolicy,
  parseIdempotencyKeyHeader,
  RetryBudget,
  withDefences,
} from "./defences";
import type { CallOptions, CallResult, ModeClient } from "./types";

/** mulberry32: a small seeded PRNG, so jittered backoffs are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("backoffMs", () => {
  const policy = { initialBackoffMs: 100, maxBackoffMs: 1_000, multiplier: 2, jitter: 0 };

  it("grows exponentially up to the cap without jitter", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(policy, n, () => 0.5))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("draws full jitter from [0, base) (AWS 'Full Jitter', gRPC A6)", () => {
    const full = { ...policy, jitter: 1 };
    expect(backoffMs(full, 3, () => 0)).toBe(0);
    expect(backoffMs(full, 3, () => 0.25)).toBe(100);
    expect(backoffMs(full, 3, () => 0.999)).toBeCloseTo(399.6);
  });

  it("keeps (1 − jitter) of the base and draws the rest", () => {
    const half = { ...policy, jitter: 0.5 };
    expect(backoffMs(half, 2, () => 0)).toBe(100);
    expect(backoffMs(half, 2, () => 0.5)).toBe(150);
  });

  it("is reproducible with a seeded random and stays within its bounds", () => {
    const p = { ...policy, jitter: 0.3 };
    const r1 = seeded(7);
    const r2 = seeded(7);
    const s1 = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(p, n, r1));
    const s2 = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(p, n, r2));
    expect(s1).toEqual(s2);
    s1.forEach((ms, i) => {
      const base = Math.min(100 * 2 ** i, 1_000);
      expect(ms).toBeGreaterThanOrEqual(base * 0.7);
      expect(ms).toBeLessThan(base);
    });
  });

  it("does not overflow with a huge number of retries", () => {
    expect(backoffMs(policy, 10_000, () => 0.5)).toBe(1_000);
  });
});

describe("normaliseRetryPolicy", () => {
  it("fills the defaults, retries off", () => {
    expect(normaliseRetryPolicy()).toEqual({ maxAttempts: 1, initialBackoffMs: 100, maxBackoffMs: 2_000, multiplier: 2, jitter: 1, budgetPercent: 20, budgetMinRetries: 10 });
  });

  it("clamps out-of-range values", () => {
    const p = normaliseRetryPolicy({ maxAttempts: 99, initialBackoffMs: 500, maxBackoffMs: 10, multiplier: 0, jitter: 3, budgetPercent: -5 });
    expect(p).toMatchObject({ maxAttempts: 10, initialBackoffMs: 500, maxBackoffMs: 500, multiplier: 1, jitter: 1, budgetPercent: 0 });
    expect(normaliseRetryPolicy({ maxAttempts: 0 }).maxAttempts).toBe(1);
    expect(normaliseRetryPolicy({ maxAttempts: Number.NaN }).maxAttempts).toBe(1);
  });
});

describe("RetryBudget", () => {
  it("allows minRetries + percent of first attempts over the lifetime", () => {
    const b = new RetryBudget(20, 2);
    // No first attempts yet: only the minimum.
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    // 10 first attempts × 20 % = 2 more.
    for (let i = 0; i < 10; i++) b.recordFirstAttempt();
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    // 4 more first attempts: 14 × 20 % = 2.8, not yet a third.
    for (let i = 0; i < 4; i++) b.recordFirstAttempt();
    expect(b.tryRetry()).toBe(false);
    b.recordFirstAttempt(); // 15 × 20 % = 3
    expect(b.tryRetry()).toBe(true);
    expect(b.stats).toEqual({ firstAttempts: 15, retries: 5, refused: 3 });
  });

  it("percent 0 is no budget at all", () => {
    const b = new RetryBudget(0, 0);
    for (let i = 0; i < 1_000; i++) expect(b.tryRetry()).toBe(true);
  });
});

describe("isRetryableStatus", () => {
  it.each(["network_error", "timeout", "502", "503", "504", "unavailable", "deadline_exceeded"])("retries %s", (s) => {
    expect(isRetryableStatus(s)).toBe(true);
  });
  it.each(["200", "ok", "400", "404", "409", "429", "500", "invalid_argument", "not_found", "already_exists", "resource_exhausted", "internal", "unknown", "canceled", "permission_denied"])(
    "does not retry %s",
    (s) => {
      expect(isRetryableStatus(s)).toBe(false);
    },
  );
});

describe("deadline", () => {
  it("defaults to 10 s; 0 and null mean none", () => {
    expect(callDeadline(undefined, 1_000)).toBe(1_000 + DEFAULT_TIMEOUT_MS);
    expect(callDeadline(250, 1_000)).toBe(1_250);
    expect(callDeadline(0, 1_000)).toBeUndefined();
    expect(callDeadline(null, 1_000)).toBeUndefined();
  });

  it("gives each attempt what is left, in whole positive ms", () => {
    expect(attemptTimeoutMs({ attempt: 1 })).toBeUndefined();
    expect(attemptTimeoutMs({ attempt: 2, deadlineUnixMs: 1_500.7 }, 1_000)).toBe(500);
    expect(attemptTimeoutMs({ attempt: 2, deadlineUnixMs: 1_000 }, 1_200)).toBe(1);
  });
});

describe("idempotency keys", () => {
  it("are random version 4 UUIDs", () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  it("travel as a quoted Structured Field String and parse back", () => {
    expect(idempotencyKeyHeaderValue("abc")).toBe('"abc"');
    expect(parseIdempotencyKeyHeader('"abc"')).toBe("abc");
    expect(parseIdempotencyKeyHeader("abc")).toBe("abc");
    expect(parseIdempotencyKeyHeader(idempotencyKeyHeaderValue('a"b\\c'))).toBe('a"b\\c');
    expect(parseIdempotencyKeyHeader(undefined)).toBeUndefined();
    expect(parseIdempotencyKeyHeader('""')).toBeUndefined();
  });

  it("take one more MQTT topic level", () => {
    expect(rpcRequestTopic("s1", "lab.v1.UserService", "CreateUser", "c1")).toBe("lab/s1/rpc/lab.v1.UserService/CreateUser/c1");
    expect(rpcRequestTopic("s1", "lab.v1.UserService", "CreateUser", "c1", "k1")).toBe("lab/s1/rpc/lab.v1.UserService/CreateUser/c1/k1");
  });
});

describe("ClientCall", () => {
  const opts = { mode: "rest" as const, baseUrl: "", session: "s1", participant: "Node client" };

  it("sends no attempt headers on a first attempt", () => {
    const h = new ClientCall(opts, Mode.REST, "Gateway", "GET", { attempt: 1 }).headers();
    expect(h[LAB_HEADERS.attempt]).toBeUndefined();
    expect(h[LAB_HEADERS.retryOf]).toBeUndefined();
    expect(h[IDEMPOTENCY_KEY_HEADER]).toBeUndefined();
  });

  it("sends the attempt, the span it retries and the key; its events carry them", () => {
    const events: TraceEvent[] = [];
    const c = new ClientCall({ ...opts, onEvent: (e) => events.push(e) }, Mode.REST, "Gateway", "POST", { attempt: 3, retryOfSpanId: "abc1", idempotencyKey: "k-1" });
    expect(c.headers()).toMatchObject({ [LAB_HEADERS.attempt]: "3", [LAB_HEADERS.retryOf]: "abc1", [IDEMPOTENCY_KEY_HEADER]: '"k-1"' });
    c.sent(10);
    const r = c.finish(false, "503");
    expect(events.map((e) => [e.kind, e.attempt, e.retryOfSpanId])).toEqual([
      [EventKind.REQUEST_SENT, 3, "abc1"],
      [EventKind.RESPONSE_RECEIVED, 3, "abc1"],
    ]);
    expect(r).toMatchObject({ attempts: 3, retried: true, spanIds: [c.spanId] });
  });
});

// ------------------------------------------------------------ withDefences over a scripted mode client

type Script = (call: CallOptions, n: number) => { status: string; ok?: boolean };

function fakeMode(script: Script) {
  const calls: { method: string; call: CallOptions }[] = [];
  let span = 0;
  const result = <T>(method: string, call: CallOptions, value?: T): CallResult<T> => {
    calls.push({ method, call });
    const s = script(call, calls.length);
    const spanId = `sp${++span}`;
    return { ok: s.ok ?? false, status: s.status, value: s.ok ? value : undefined, latencyMs: 1, requestBytes: 10, responseBytes: 5, spanId, spanIds: [spanId], attempts: 1, retried: false };
  };
  const user = create(UserSchema, { id: 1n, name: "A", email: "a@example.com" });
  const client: ModeClient & { streamed?: number } = {
    mode: "rest",
    getUser: async (_id, call) => result("getUser", call, user),
    createUser: async (_n, _e, call) => result("createUser", call, user),
    createOrder: async (_i, call) => result<never>("createOrder", call),
    echo: async (_r, call) => result<never>("echo", call),
    listUsers: async (o, call) => {
      // Delivers one user before failing when told to ("mid-stream").
      const r = result<User[]>("listUsers", call, [user]);
      if (r.status === "mid-stream-unavailable") {
        o.onUser?.(user);
        return { ...r, status: "unavailable" };
      }
      if (r.ok) o.onUser?.(user);
      return r;
    },
    close: async () => {},
  };
  return { client, calls };
}

const noSleep = { sleep: async () => {}, random: () => 0.5 };

describe("withDefences", () => {
  it("makes one attempt without a retry policy", async () => {
    const { client, calls } = fakeMode(() => ({ status: "503" }));
    const r = await withDefences(client, {}, noSleep).getUser(1n);
    expect(calls).toHaveLength(1);
    expect(r).toMatchObject({ ok: false, status: "503", attempts: 1, retried: false, spanId: "sp1", spanIds: ["sp1"] });
    expect(r.retryStoppedBy).toBeUndefined();
  });

  it("retries transient failures, each attempt its own span, naming the first", async () => {
    const { client, calls } = fakeMode((_c, n) => (n < 3 ? { status: "unavailable" } : { status: "ok", ok: true }));
    const waits: number[] = [];
    const r = await withDefences(client, { retry: { maxAttempts: 5, initialBackoffMs: 100, jitter: 0 } }, { sleep: async (ms) => void waits.push(ms) }).getUser(1n);
    expect(r).toMatchObject({ ok: true, status: "ok", attempts: 3, retried: true, spanId: "sp1", spanIds: ["sp1", "sp2", "sp3"], requestBytes: 30, responseBytes: 15 });
    expect(calls.map((c) => [c.call.attempt, c.call.retryOfSpanId])).toEqual([
      [1, undefined],
      [2, "sp1"],
      [3, "sp1"],
    ]);
    expect(waits).toEqual([100, 200]);
  });

  it("gives up after maxAttempts with the last outcome", async () => {
    const { client, calls } = fakeMode(() => ({ status: "network_error" }));
    const r = await withDefences(client, { retry: { maxAttempts: 3 } }, noSleep).getUser(1n);
    expect(calls).toHaveLength(3);
    expect(r).toMatchObject({ ok: false, status: "network_error", attempts: 3, retried: true });
  });

  it.each(["404", "400", "invalid_argument", "not_found", "resource_exhausted", "internal"])("does not retry %s", async (status) => {
    const { client, calls } = fakeMode(() => ({ status }));
    await withDefences(client, { retry: { maxAttempts: 3 } }, noSleep).getUser(1n);
    expect(calls).toHaveLength(1);
  });

  it("retries creating calls too, with the same idempotency key on every attempt", async () => {
    const { client, calls } = fakeMode((_c, n) => (n % 3 === 0 ? { status: "ok", ok: true } : { status: "504" }));
    let k = 0;
    const lab = withDefences(client, { retry: { maxAttempts: 3 }, idempotencyKeys: true }, { ...noSleep, newKey: () => `key${++k}` });
    await lab.createUser("A", "a@example.com");
    await lab.createOrder({ userId: 1n, sku: "sku-mug", quantity: 1 });
    expect(calls.map((c) => [c.method, c.call.idempotencyKey])).toEqual([
      ["createUser", "key1"],
      ["createUser", "key1"],
      ["createUser", "key1"],
      ["createOrder", "key2"],
      ["createOrder", "key2"],
      ["createOrder", "key2"],
    ]);
  });

  it("sends no idempotency key when off, nor on reads", async () => {
    const { client, calls } = fakeMode(() => ({ status: "503" }));
    await withDefences(client, { retry: { maxAttempts: 2 } }, noSleep).createUser("A", "a@example.com");
    await withDefences(client, { retry: { maxAttempts: 2 }, idempotencyKeys: true }, noSleep).getUser(1n);
    expect(calls.every((c) => c.call.idempotencyKey === undefined)).toBe(true);
    expect(calls.filter((c) => c.method === "createUser")).toHaveLength(2);
  });

  it("stops when the retry budget is spent, across calls of one client", async () => {
    const { client, calls } = fakeMode(() => ({ status: "unavailable" }));
    // 50 % of first attempts, no minimum: the first call may not retry
    // (1 × 50 % < 1), the second may once (2 × 50 % = 1).
    const lab = withDefences(client, { retry: { maxAttempts: 3, budgetPercent: 50, budgetMinRetries: 0 } }, noSleep);
    const r1 = await lab.getUser(1n);
    expect(r1).toMatchObject({ attempts: 1, retryStoppedBy: "budget" });
    const r2 = await lab.getUser(1n);
    expect(r2).toMatchObject({ attempts: 2, retryStoppedBy: "budget" });
    expect(calls).toHaveLength(3);
  });

  it("bounds the whole call, retries included, by timeoutMs (gRPC A6)", async () => {
    let clock = 0;
    const { client, calls } = fakeMode(() => {
      clock += 40; // each attempt takes 40 ms
      return { status: "unavailable" };
    });
    const lab = withDefences(
      client,
      { timeoutMs: 150, retry: { maxAttempts: 10, initialBackoffMs: 30, multiplier: 1, jitter: 0 } },
      { now: () => clock, sleep: async (ms) => void (clock += ms) },
    );
    const r = await lab.getUser(1n);
    // Attempts at 0–40, 70–110 and 140–180; a fourth would start at 180 + 30 ≥ 150.
    expect(r).toMatchObject({ attempts: 3, retryStoppedBy: "deadline" });
    expect(calls.map((c) => c.call.deadlineUnixMs)).toEqual([150, 150, 150]);
  });

  it("does not retry an attempt that ran out of time a ms before the deadline by its clock", async () => {
    // The attempt was given floor(300 − 0) ms and its timer fired a ms
    // early: 299 by this clock. A retry with 1 ms left could only time out.
    let clock = 0;
    const { client, calls } = fakeMode(() => {
      clock += 299;
      return { status: "deadline_exceeded" };
    });
    const lab = withDefences(client, { timeoutMs: 300, retry: { maxAttempts: 3, initialBackoffMs: 1, multiplier: 1, jitter: 1 } }, { now: () => clock, sleep: async (ms) => void (clock += ms), random: () => 0 });
    const r = await lab.getUser(1n);
    expect(r).toMatchObject({ attempts: 1, retryStoppedBy: "deadline" });
    expect(calls).toHaveLength(1);
  });

  it("has no deadline with timeoutMs 0 or null", async () => {
    for (const timeoutMs of [0, null]) {
      const { client, calls } = fakeMode(() => ({ status: "ok", ok: true }));
      await withDefences(client, { timeoutMs }, noSleep).getUser(1n);
      expect(calls[0].call.deadlineUnixMs).toBeUndefined();
    }
  });

  it("resumes a retried stream after the last user it handed over", async () => {
    const before = fakeMode((_c, n) => (n === 1 ? { status: "unavailable" } : { status: "ok", ok: true }));
    const seen: User[] = [];
    const r = await withDefences(before.client, { retry: { maxAttempts: 3 } }, noSleep).listUsers({ onUser: (u) => seen.push(u) });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(seen).toHaveLength(1);

    // Cut after user 1, then a whole stream: user 1 is not handed over twice.
    const midway = fakeMode((_c, n) => (n === 1 ? { status: "mid-stream-unavailable" } : { status: "ok", ok: true }));
    const seen2: User[] = [];
    const r2 = await withDefences(midway.client, { retry: { maxAttempts: 3 } }, noSleep).listUsers({ onUser: (u) => seen2.push(u) });
    expect(r2).toMatchObject({ ok: true, attempts: 2 });
    expect(seen2).toHaveLength(1);
    expect(r2.value).toHaveLength(1);
  });
});

describe("clientOptionsFromDefences", () => {
  it("maps a session's Defences, 0 = no deadline", () => {
    const d = create(DefencesSchema, {
      timeoutMs: 0,
      idempotencyKeys: true,
      retry: { maxAttempts: 4, initialBackoffMs: 0, maxBackoffMs: 0, multiplier: 0, jitter: 0.5, budgetPercent: 10 },
    });
    const o = clientOptionsFromDefences(d);
    expect(o).toEqual({ timeoutMs: 0, idempotencyKeys: true, retry: { maxAttempts: 4, initialBackoffMs: 0, jitter: 0.5, budgetPercent: 10 } });
    expect(normaliseRetryPolicy(o.retry)).toMatchObject({ maxAttempts: 4, initialBackoffMs: 0, maxBackoffMs: 2_000, multiplier: 2, jitter: 0.5 });
  });

  it("turns retries off without a retry policy, keeps a deadline", () => {
    expect(clientOptionsFromDefences(create(DefencesSchema, { timeoutMs: 2_500 }))).toEqual({ timeoutMs: 2_500, idempotencyKeys: false, retry: { maxAttempts: 1 } });
  });
});
