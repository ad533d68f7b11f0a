import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { EventKind } from "../lib/gen/lab/v1/trace_pb";
import { createNodeLabClient, type LabClient, type ModeName } from "../lib/client/node";
import { PIPELINE_DRAIN_MS } from "../server/mqtt/session-pipeline";
import { startTestLab } from "./helpers/lab";

/**
 * Fault injection and defences on real sockets: every fault is set through
 * the REST equivalent of LabService (as curl would), acts on real HTTP,
 * HTTP/2 and MQTT traffic, and is judged by the sandbox's counters and the
 * trace.
 */
let lab: Awaited<ReturnType<typeof startTestLab>>;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers read field by field
type Json = any;

let sessions = 0;
const newSession = (name: string) => `f${name.replace(/[^a-z0-9]/g, "").slice(0, 16)}${(sessions++).toString().padStart(3, "0")}`;

async function labRest(session: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${lab.httpUrl}/rest/lab/${path}`, {
    method,
    headers: { "x-lab-session": session, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function setFaults(session: string, rules: unknown[]): Promise<Json> {
  const r = await labRest(session, "PUT", "faults", { rules });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
}

async function setDefences(session: string, defences: Record<string, unknown>): Promise<void> {
  const r = await labRest(session, "PATCH", "defences", defences);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}

async function counters(session: string): Promise<Record<string, string>> {
  return (await labRest(session, "GET", "counters")).json.counters;
}

const n = (v: string | undefined) => Number(v ?? 0);

async function clientFor(session: string, mode: ModeName, extra: Record<string, unknown> = {}): Promise<LabClient> {
  return createNodeLabClient({ mode, baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, mqttUrl: lab.mqttUrl, session, participant: "Node client", ...extra });
}

/** Runs `count` calls with at most `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

function faultEvents(session: string) {
  return lab.hub.recent(session).filter((e) => e.kind === EventKind.FAULT);
}

describe("fault rules as data", () => {
  it("stores rules with ids and seeds, lists and clears them", async () => {
    const s = newSession("rules");
    const stored = await setFaults(s, [{ kind: "FAULT_KIND_LATENCY", latencyMs: 50, probability: 1, seed: "7", label: "slow" }]);
    expect(stored.rules).toHaveLength(1);
    expect(stored.rules[0].id).toMatch(/latency/);
    expect(stored.rules[0].seed).toBe("7");
    expect((await labRest(s, "GET", "faults")).json.rules).toHaveLength(1);
    expect((await labRest(s, "DELETE", "faults")).status).toBe(200);
    expect((await labRest(s, "GET", "faults")).json.rules ?? []).toHaveLength(0);
  });

  it("refuses out-of-range parameters with a 400 that names the limit", async () => {
    const s = newSession("limits");
    const p = await labRest(s, "PUT", "faults", { rules: [{ kind: "FAULT_KIND_DUPLICATE", probability: 1.5 }] });
    expect(p.status).toBe(400);
    expect(p.json.error.message).toMatch(/probability 1.5 is outside 0–1/);
    const l = await labRest(s, "PUT", "faults", { rules: [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 40_000 }] });
    expect(l.status).toBe(400);
    expect(l.json.error.message).toMatch(/latencyMs 40000 .*FAULT_LIMITS.latencyMs/);
    const k = await labRest(s, "PUT", "faults", { rules: [{ kind: "FAULT_KIND_NOPE" }] });
    expect(k.status).toBe(400);
    const d = await labRest(s, "PATCH", "defences", { eventQos: 3 });
    expect(d.status).toBe(400);
    expect(d.json.error.message).toMatch(/eventQos/);
  });

  it("keeps one session's faults away from another (A at 100 %, B untouched)", async () => {
    const a = newSession("isoa");
    const b = newSession("isob");
    await setFaults(a, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable" }]);
    const ca = await clientFor(a, "connect");
    const cb = await clientFor(b, "connect");
    try {
      for (let i = 0; i < 10; i++) {
        expect((await ca.getUser(1n)).status).toBe("unavailable");
        expect((await cb.getUser(1n)).status).toBe("ok");
      }
      expect((await labRest(b, "GET", "faults")).json.rules ?? []).toHaveLength(0);
      expect(n((await counters(b)).faultsApplied)).toBe(0);
      expect(n((await counters(a)).faultsApplied)).toBe(10);
    } finally {
      await ca.close();
      await cb.close();
    }
  });

  it("repeats the same hits for the same seed", async () => {
    const outcomes: string[][] = [];
    for (const run of [0, 1]) {
      const s = newSession(`seed${run}`);
      await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 0.5, rpcCode: "unavailable", seed: "12345" }]);
      const c = await clientFor(s, "connect");
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) seen.push((await c.getUser(1n)).status);
      await c.close();
      outcomes.push(seen);
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain("ok");
    expect(outcomes[0]).toContain("unavailable");
  });
});

describe("HTTP faults in every HTTP mode", () => {
  it.each(["connect", "grpc-web", "grpc"] as const)("%s: an injected error answers the chosen code and marks the diagram", async (mode) => {
    const s = newSession(`err${mode}`);
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "resource_exhausted", target: { service: "UserService", method: "GetUser" } }]);
    const c = await clientFor(s, mode);
    try {
      const r = await c.getUser(1n);
      expect(r.status).toBe("resource_exhausted");
      expect((await c.createUser("Ok", "ok@example.com")).ok).toBe(true);
      await expect.poll(() => faultEvents(s).length).toBe(1);
      expect(faultEvents(s)[0].fault?.kind).toBe("error");
    } finally {
      await c.close();
    }
  });

  it("rest: an error at the edge answers the HTTP status with a JSON body", async () => {
    const s = newSession("resterr");
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, httpStatus: 503, target: { mode: "MODE_REST" } }]);
    const res = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": s } });
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("unavailable");
  });

  it.each(["rest", "connect", "grpc"] as const)("%s: a reset before the answer fails the call; the handler never ran", async (mode) => {
    const s = newSession(`reset${mode}`);
    await setFaults(s, [{ kind: "FAULT_KIND_RESET", probability: 1, target: { mode: mode === "rest" ? "MODE_REST" : mode === "grpc" ? "MODE_GRPC" : "MODE_CONNECT" } }]);
    const c = await clientFor(s, mode);
    try {
      const r = await c.createUser("Never", "never@example.com");
      expect(r.ok).toBe(false);
      expect(lab.sandboxes.get(s).users.size).toBe(4);
    } finally {
      await c.close();
    }
  });

  it.each(["rest", "connect", "grpc-web"] as const)("%s: a lost response — the user exists, the caller got an error", async (mode) => {
    const s = newSession(`lost${mode}`);
    await setFaults(s, [{ kind: "FAULT_KIND_LOST_RESPONSE", probability: 1, target: { mode: mode === "rest" ? "MODE_REST" : mode === "connect" ? "MODE_CONNECT" : "MODE_GRPC_WEB" } }]);
    const c = await clientFor(s, mode);
    try {
      const r = await c.createUser("Ghost", "ghost@example.com");
      expect(r.ok).toBe(false);
      expect([...lab.sandboxes.get(s).users.values()].some((u) => u.name === "Ghost")).toBe(true);
      expect(faultEvents(s).some((e) => e.fault?.kind === "lost_response")).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("connect: a replayed request runs the handler twice", async () => {
    const s = newSession("replay");
    await setFaults(s, [{ kind: "FAULT_KIND_DUPLICATE", probability: 1, target: { mode: "MODE_CONNECT", method: "CreateUser" } }]);
    const c = await clientFor(s, "connect");
    try {
      expect((await c.createUser("Twin", "twin@example.com")).ok).toBe(true);
      expect([...lab.sandboxes.get(s).users.values()].filter((u) => u.name === "Twin")).toHaveLength(2);
    } finally {
      await c.close();
    }
  });

  it("rest: a replayed request makes the gateway call the service twice", async () => {
    const s = newSession("restreplay");
    await setFaults(s, [{ kind: "FAULT_KIND_DUPLICATE", probability: 1, target: { mode: "MODE_REST" } }]);
    const res = await fetch(`${lab.httpUrl}/rest/users`, {
      method: "POST",
      headers: { "x-lab-session": s, "content-type": "application/json" },
      body: JSON.stringify({ name: "Twin", email: "twin@example.com" }),
    });
    expect(res.status).toBe(201);
    expect([...lab.sandboxes.get(s).users.values()].filter((u) => u.name === "Twin")).toHaveLength(2);
  });

  it("connect: sliced and throttled writes still deliver the whole answer, slower", async () => {
    const s = newSession("slicer");
    await setFaults(s, [
      { kind: "FAULT_KIND_SLICER", probability: 1, sliceBytes: 8, sliceDelayMs: 10, target: { mode: "MODE_CONNECT" } },
      { kind: "FAULT_KIND_BANDWIDTH", probability: 1, bytesPerSecond: 2000, target: { mode: "MODE_CONNECT" } },
    ]);
    const c = await clientFor(s, "connect");
    try {
      const r = await c.getUser(123n);
      expect(r.ok).toBe(true);
      expect(r.value?.name).toBe("张三");
      // A few hundred bytes at 8-byte slices 10 ms apart take well over 100 ms.
      expect(r.latencyMs).toBeGreaterThan(100);
    } finally {
      await c.close();
    }
  });

  it("grpc: limit_data cuts a server stream after N bytes", async () => {
    const s = newSession("limit");
    await setFaults(s, [{ kind: "FAULT_KIND_LIMIT_DATA", probability: 1, afterBytes: 40, target: { mode: "MODE_GRPC", method: "ListUsers" } }]);
    const c = await clientFor(s, "grpc");
    try {
      const got: unknown[] = [];
      const r = await c.listUsers({ onUser: (u) => got.push(u) });
      expect(r.ok).toBe(false);
      expect(got.length).toBeLessThan(4);
    } finally {
      await c.close();
    }
  });

  it("connect: a hang holds the call until the client's deadline", async () => {
    const s = newSession("hang");
    await setFaults(s, [{ kind: "FAULT_KIND_HANG", probability: 1, target: { mode: "MODE_CONNECT" } }]);
    const c = await clientFor(s, "connect", { timeoutMs: 300 });
    try {
      const t0 = performance.now();
      const r = await c.getUser(1n);
      const took = performance.now() - t0;
      expect(r.status).toBe("deadline_exceeded");
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(1500);
    } finally {
      await c.close();
    }
  });
});

describe("deadlines through the gateway", () => {
  const slowUserService = [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 2000, target: { service: "UserService", method: "GetUser" } }];

  it("a 2 s service delay against a 500 ms deadline: 504 deadline_exceeded in 500–600 ms, downstream cancelled", async () => {
    const s = newSession("deadline");
    await setFaults(s, slowUserService);
    const t0 = performance.now();
    const res = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": s, "x-lab-timeout-ms": "500" } });
    const took = performance.now() - t0;
    expect(res.status).toBe(504);
    expect((await res.json()).error.code).toBe("deadline_exceeded");
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(600);
    // The service's own hop ended with the deadline, not with an answer 1.5 s later.
    await new Promise((r) => setTimeout(r, 1700));
    const serviceHop = lab.hub.recent(s).filter((e) => e.from === "Gateway" && e.to === "UserService" || e.from === "UserService" && e.to === "Gateway");
    expect(serviceHop.some((e) => e.rpc?.code === "ok")).toBe(false);
    expect(serviceHop.some((e) => e.rpc?.code === "deadline_exceeded" || e.rpc?.code === "canceled")).toBe(true);
  });

  it("the anti-pattern: a gateway that resets the deadline keeps the service working after the caller gave up", async () => {
    const s = newSession("reset");
    await setFaults(s, slowUserService);
    await setDefences(s, { propagateDeadline: false });
    const t0 = performance.now();
    const failed = await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": s, "x-lab-timeout-ms": "500" }, signal: AbortSignal.timeout(500) }).then(
      () => false,
      () => true,
    );
    expect(failed).toBe(true);
    expect(performance.now() - t0).toBeLessThan(700);
    // The downstream call runs to its end, ~2 s, for nobody.
    await expect.poll(() => lab.hub.recent(s).some((e) => e.from === "UserService" && e.to === "Gateway" && e.rpc?.code === "ok"), { timeout: 4000 }).toBe(true);
  });
});

describe("the event pipeline under faults", () => {
  async function placeOrders(session: string, count: number, mode: ModeName = "connect"): Promise<number> {
    const c = await clientFor(session, mode);
    let ok = 0;
    try {
      await inParallel(count, 8, async () => {
        if ((await c.createOrder({ userId: 1n, sku: "sku-book", quantity: 1 })).ok) ok++;
      });
    } finally {
      await c.close();
    }
    return ok;
  }

  /** Counters once nothing has changed for longer than a consumer's reconnect period (500 ms). */
  async function settled(session: string): Promise<Record<string, string>> {
    let last = "";
    let still = 0;
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const c = await counters(session);
      const now = JSON.stringify(c);
      still = now === last && n(c.consumerBacklog) === 0 ? still + 1 : 0;
      if (still >= 8) return c;
      last = now;
    }
    return counters(session);
  }

  it("30 % duplicate deliveries: 200 orders give more than 200 decrements; with de-duplication exactly 200", async () => {
    const rules = [{ kind: "FAULT_KIND_DUPLICATE", probability: 0.3, seed: "99", target: { mode: "MODE_MQTT", topic: "events/#" } }];
    const plain = newSession("dupplain");
    await setFaults(plain, rules);
    expect(await placeOrders(plain, 200)).toBe(200);
    const a = await settled(plain);
    expect(n(a.ordersAccepted)).toBe(200);
    expect(n(a.inventoryDecrements)).toBeGreaterThan(200);
    expect(n(a.ordersAppliedTwice)).toBe(n(a.inventoryDecrements) - 200);
    expect(n(a.messagesDuplicated)).toBeGreaterThan(0);
    expect(faultEvents(plain).some((e) => e.fault?.kind === "duplicate")).toBe(true);

    const guarded = newSession("dupdedup");
    await setFaults(guarded, rules);
    await setDefences(guarded, { consumerDedup: true });
    expect(await placeOrders(guarded, 200)).toBe(200);
    const b = await settled(guarded);
    expect(n(b.inventoryDecrements)).toBe(200);
    expect(n(b.notificationsSent)).toBe(200);
    expect(n(b.duplicatesSkipped)).toBeGreaterThan(0);
  });

  it("QoS 2 stops duplicated deliveries at the protocol level (MQTT 3.1.1 §4.3.3)", async () => {
    const s = newSession("qos2");
    await setDefences(s, { eventQos: 2 });
    await setFaults(s, [{ kind: "FAULT_KIND_DUPLICATE", probability: 1, target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    expect(await placeOrders(s, 20)).toBe(20);
    const c = await settled(s);
    expect(n(c.inventoryDecrements)).toBe(20);
  });

  it("QoS 0 message loss: accepted orders that no consumer ever sees", async () => {
    const s = newSession("loss");
    await setDefences(s, { eventQos: 0 });
    await setFaults(s, [{ kind: "FAULT_KIND_MESSAGE_LOSS", probability: 1, target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    expect(await placeOrders(s, 10)).toBe(10);
    const c = await settled(s);
    expect(n(c.ordersAccepted)).toBe(10);
    expect(n(c.inventoryDecrements)).toBe(0);
    expect(n(c.messagesLost)).toBe(20); // two consumers, ten messages each
  });

  it("a lost PUBACK: the publisher re-sends and the consumers see the message twice", async () => {
    const s = newSession("puback");
    await setDefences(s, { publishAckTimeoutMs: 200 });
    await setFaults(s, [{ kind: "FAULT_KIND_PUBACK_LOSS", probability: 1, durationMs: 0, target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    // The first PUBACK is lost; the rule is lifted before the re-send's PUBACK.
    const c = await clientFor(s, "connect", { timeoutMs: 5000 });
    const order = c.createOrder({ userId: 1n, sku: "sku-mug", quantity: 1 });
    await expect.poll(() => faultEvents(s).some((e) => e.fault?.kind === "puback_loss")).toBe(true);
    await labRest(s, "DELETE", "faults");
    const r = await order;
    await c.close();
    expect(r.ok).toBe(true);
    const after = await settled(s);
    expect(n(after.inventoryDecrements)).toBe(2);
    expect(n(after.ordersAppliedTwice)).toBe(1);
  });

  it("a change of defences while an event waits for its PUBACK lets it finish under the old ones; the next order gets the new ones", async () => {
    const s = newSession("drained");
    await setDefences(s, { publishAckTimeoutMs: 300 });
    await setFaults(s, [{ kind: "FAULT_KIND_PUBACK_LOSS", probability: 1, durationMs: 0, target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    const c = await clientFor(s, "connect", { timeoutMs: 8000 });
    const first = c.createOrder({ userId: 1n, sku: "sku-mug", quantity: 1 });
    await expect.poll(() => faultEvents(s).some((e) => e.fault?.kind === "puback_loss")).toBe(true);
    // QoS 2 for events, while the first one (QoS 1) waits: its re-send gets the PUBACK once the fault is lifted.
    await setDefences(s, { publishAckTimeoutMs: 300, eventQos: 2 });
    await labRest(s, "DELETE", "faults");
    const r1 = await first;
    expect(r1.ok).toBe(true);
    const r2 = await c.createOrder({ userId: 1n, sku: "sku-mug", quantity: 1 });
    await c.close();
    expect(r2.ok).toBe(true);
    // The order service's PUBLISHes as the broker saw them: the first event
    // and its re-send (the same packet id, §4.4) at QoS 1, the next at QoS 2.
    const publishes = lab.hub
      .recent(s)
      .filter((e) => e.mqtt?.packetType === "PUBLISH" && e.to === "Broker" && e.mqtt.topic.endsWith("/events/order.created"))
      .map((e) => e.mqtt!);
    expect(publishes.map((m) => m.qos)).toEqual([1, 1, 2]);
    expect(publishes[1].packetId).toBe(publishes[0].packetId);
    // A re-delivery carries DUP=1 (MQTT 3.1.1 §3.3.1.1); the first attempt and the next event do not.
    expect(publishes.map((m) => m.dup)).toEqual([false, true, false]);
  });

  it("an event still unacknowledged when its replaced pipeline's drain time is up fails with 503, not at the deadline", async () => {
    const s = newSession("rebuilt");
    await setDefences(s, { publishAckTimeoutMs: 60_000 });
    await setFaults(s, [{ kind: "FAULT_KIND_PUBACK_LOSS", probability: 1, durationMs: 0, target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    const c = await clientFor(s, "connect", { timeoutMs: 15_000 });
    const order = c.createOrder({ userId: 1n, sku: "sku-mug", quantity: 1 });
    await expect.poll(() => faultEvents(s).some((e) => e.fault?.kind === "puback_loss")).toBe(true);
    const changed = Date.now();
    await setDefences(s, { publishAckTimeoutMs: 60_000, persistentSession: false });
    const r = await order;
    const waited = Date.now() - changed;
    await c.close();
    await labRest(s, "DELETE", "faults");
    expect(r.status).toBe("unavailable");
    expect(r.error).toMatch(/rebuilt .* within 5 s/);
    expect(waited).toBeGreaterThanOrEqual(PIPELINE_DRAIN_MS - 100);
    expect(waited).toBeLessThan(PIPELINE_DRAIN_MS + 3000);
    await setDefences(s, { persistentSession: true });
  });

  it("a consumer that crashes before acking gets the message again from its persistent session", async () => {
    const s = newSession("crash");
    await setFaults(s, [{ kind: "FAULT_KIND_CONSUMER_CRASH", probability: 0.5, seed: "3", target: { consumer: "inventory" } }]);
    expect(await placeOrders(s, 10)).toBe(10);
    const c = await settled(s);
    expect(n(c.consumerCrashes)).toBeGreaterThan(0);
    // Each crash after processing means a redelivery and a second decrement.
    expect(n(c.inventoryDecrements)).toBe(10 + n(c.consumerCrashes));
    // The broker marks the re-delivery DUP=1 (MQTT 3.1.1 §3.3.1.1).
    const redelivered = lab.hub.recent(s).filter((e) => e.from === "Broker" && e.to === "Inventory" && e.mqtt?.packetType === "PUBLISH" && e.mqtt.dup);
    expect(redelivered.length).toBeGreaterThan(0);
  });

  it("with a clean session the crashed consumer's unacknowledged message is gone", async () => {
    const s = newSession("crashclean");
    await setDefences(s, { persistentSession: false });
    await setFaults(s, [{ kind: "FAULT_KIND_CONSUMER_CRASH", probability: 1, durationMs: 0, target: { consumer: "inventory" } }]);
    expect(await placeOrders(s, 1)).toBe(1);
    await expect.poll(async () => n((await counters(s)).consumerCrashes)).toBe(1);
    await labRest(s, "DELETE", "faults");
    await new Promise((r) => setTimeout(r, 1500));
    expect(n((await counters(s)).inventoryDecrements)).toBe(1);
  });

  it("a poison message goes to the dead-letter topic after N failed attempts", async () => {
    const s = newSession("poison");
    await setDefences(s, { dlqAfterAttempts: 3 });
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, target: { consumer: "notification" } }]);
    expect(await placeOrders(s, 1)).toBe(1);
    await expect.poll(async () => n((await counters(s)).messagesDeadLettered), { timeout: 8000 }).toBe(1);
    expect(lab.hub.recent(s).filter((e) => e.kind === EventKind.DEAD_LETTER)).toHaveLength(1);
  });

  it("a slow consumer builds a visible backlog", async () => {
    const s = newSession("slow");
    await setFaults(s, [{ kind: "FAULT_KIND_SLOW_CONSUMER", probability: 1, latencyMs: 100, target: { consumer: "inventory" } }]);
    await placeOrders(s, 10);
    const c = await counters(s);
    expect(n(c.consumerBacklog)).toBeGreaterThan(0);
    const done = await settled(s);
    expect(n(done.inventoryDecrements)).toBe(10);
  });

  it("reordering releases a window of deliveries out of order", async () => {
    const s = newSession("reorder");
    await setFaults(s, [{ kind: "FAULT_KIND_REORDER", probability: 1, window: 5, seed: "5", target: { mode: "MODE_MQTT", topic: "events/#" } }]);
    const c = await clientFor(s, "connect");
    for (let i = 0; i < 5; i++) await c.createOrder({ userId: 1n, sku: "sku-tee", quantity: 1 });
    await c.close();
    await settled(s);
    const processed = lab.hub
      .recent(s)
      .filter((e) => e.kind === EventKind.PROCESSED && e.from === "Notification")
      .map((e) => /ord-(\d+)/.exec(e.summary)![1]);
    expect(processed).toHaveLength(5);
    expect(processed).not.toEqual([...processed].sort());
  });

  it("a broker outage drops the session's clients, refuses CONNECT with code 3, and the pipeline recovers", async () => {
    const s = newSession("outage");
    const other = newSession("bystander");
    await placeOrders(other, 1);
    await setFaults(s, [{ kind: "FAULT_KIND_BROKER_DOWN", probability: 1, durationMs: 1500 }]);
    const refused = await new Promise<number | undefined>((resolve) => {
      const c = mqtt.connect(lab.mqttUrl, { username: s, clientId: `mosquitto_sub-${s}`, reconnectPeriod: 0 });
      c.once("connect", () => resolve(0));
      c.once("error", (err) => resolve((err as { code?: number }).code));
      setTimeout(() => resolve(undefined), 2000);
      c.once("close", () => c.end(true));
    });
    expect(refused).toBe(3);
    // Another session's pipeline never noticed.
    expect(await placeOrders(other, 1)).toBe(1);
    const t0 = performance.now();
    expect(await placeOrders(s, 1)).toBe(1);
    expect(n((await settled(s)).inventoryDecrements)).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(faultEvents(s).some((e) => e.fault?.kind === "broker_down")).toBe(true);
  });
});

describe("defences that hold", () => {
  const lostCreateOrder = (mode: string) => [
    { kind: "FAULT_KIND_LOST_RESPONSE", probability: 0.4, seed: "2024", target: { mode, method: "CreateOrder" } },
  ];

  it.each([
    ["rest", "MODE_REST"],
    ["connect", "MODE_CONNECT"],
  ] as const)("%s: lost responses + retries charge orders twice; idempotency keys make it exactly once", async (mode, protoMode) => {
    const retry = { maxAttempts: 5, initialBackoffMs: 5, maxBackoffMs: 20, budgetPercent: 0 };
    const place = async (session: string, idempotencyKeys: boolean) => {
      await setFaults(session, lostCreateOrder(protoMode));
      const c = await clientFor(session, mode, { retry, idempotencyKeys });
      let ok = 0;
      try {
        for (let i = 0; i < 30; i++) if ((await c.createOrder({ userId: 1n, sku: "sku-book", quantity: 1 })).ok) ok++;
      } finally {
        await c.close();
      }
      return { ok, counters: await counters(session) };
    };
    const naive = await place(newSession(`naive${mode}`), false);
    expect(naive.ok).toBe(30);
    expect(n(naive.counters.requestsRetried)).toBeGreaterThan(0);
    expect(n(naive.counters.ordersAccepted)).toBeGreaterThan(30);

    const keyed = await place(newSession(`keyed${mode}`), true);
    expect(keyed.ok).toBe(30);
    expect(n(keyed.counters.ordersAccepted)).toBe(30);
    expect(n(keyed.counters.idempotentReplays)).toBeGreaterThan(0);
  });

  it("a reset mid-stream with retries on completes with every user once", async () => {
    const s = newSession("midstream");
    await setFaults(s, [{ kind: "FAULT_KIND_RESET", probability: 0.6, seed: "11", afterBytes: 300, target: { mode: "MODE_CONNECT", method: "ListUsers" } }]);
    const c = await clientFor(s, "connect", { retry: { maxAttempts: 8, initialBackoffMs: 5, maxBackoffMs: 20, budgetPercent: 0 } });
    try {
      const seen: bigint[] = [];
      const r = await c.listUsers({ intervalMs: 10, onUser: (u) => seen.push(u.id) });
      expect(r.ok).toBe(true);
      expect(r.attempts).toBeGreaterThan(1);
      expect(seen).toEqual([1n, 2n, 3n, 123n]);
      expect(r.value?.map((u) => u.id)).toEqual([1n, 2n, 3n, 123n]);
    } finally {
      await c.close();
    }
  });

  it("a retry budget stops a retry storm", async () => {
    const s = newSession("storm");
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable", target: { mode: "MODE_CONNECT" } }]);
    const c = await clientFor(s, "connect", { retry: { maxAttempts: 5, initialBackoffMs: 1, maxBackoffMs: 2, budgetPercent: 10, budgetMinRetries: 2 } });
    try {
      for (let i = 0; i < 20; i++) await c.getUser(1n);
      // 20 calls × 4 retries would be 80; the budget allows 2 + 10 % of 20.
      expect(n((await counters(s)).requestsReceived)).toBeLessThanOrEqual(20 + 4);
    } finally {
      await c.close();
    }
  });
});

describe("connection defences", () => {
  it("two consumers sharing one client id take the session from each other (MQTT 3.1.1 §3.1.4)", async () => {
    const s = newSession("sharedid");
    await setDefences(s, { sharedClientId: true });
    const c = await clientFor(s, "connect");
    // Every order is taken while the twins flap, even when one is thrown out
    // in the middle of its SUBSCRIBE (it subscribes again on reconnect).
    for (let i = 0; i < 3; i++) expect((await c.createOrder({ userId: 1n, sku: "sku-book", quantity: 1 })).status).toBe("ok");
    await c.close();
    await new Promise((r) => setTimeout(r, 1600));
    const connects = lab.hub.recent(s).filter((e) => e.mqtt?.packetType === "CONNECT" && e.from === "Inventory");
    // Two at start, then one more every reconnect period as each kicks the other out.
    expect(connects.length).toBeGreaterThanOrEqual(4);
    await setDefences(s, { sharedClientId: false });
  });

  it("reuse off answers Connection: close (RFC 9112 §9.6), so each call opens a new connection", async () => {
    const s = newSession("noreuse");
    const headerOf = async () => (await fetch(`${lab.httpUrl}/rest/users/1`, { headers: { "x-lab-session": s } })).headers.get("connection");
    expect(await headerOf()).not.toBe("close");
    await setDefences(s, { reuseConnections: false });
    expect(await headerOf()).toBe("close");
  });
});

describe("the same fault in every mode", () => {
  it.each(["rest", "connect", "grpc-web", "grpc", "mqtt"] as const)("%s: latency at the user service delays the answer and marks the hop", async (mode) => {
    const s = newSession(`lat${mode}`);
    await setFaults(s, [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 150, target: { service: "UserService", method: "GetUser" } }]);
    const c = await clientFor(s, mode);
    try {
      const r = await c.getUser(1n);
      expect(r.ok).toBe(true);
      expect(r.latencyMs).toBeGreaterThanOrEqual(145);
      expect(faultEvents(s).filter((e) => e.fault?.kind === "latency")).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it.each(["rest", "connect", "grpc-web", "grpc", "mqtt"] as const)("%s: an error at the user service reaches the caller as the same code", async (mode) => {
    const s = newSession(`code${mode}`);
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable", target: { service: "UserService" } }]);
    const c = await clientFor(s, mode);
    try {
      const r = await c.getUser(1n);
      expect(r.status).toBe(mode === "rest" ? "503" : "unavailable");
    } finally {
      await c.close();
    }
  });

  it("mqtt: a duplicated request makes the responder create the user twice", async () => {
    const s = newSession("mqttdup");
    await setFaults(s, [{ kind: "FAULT_KIND_DUPLICATE", probability: 1, target: { mode: "MODE_MQTT", topic: "rpc/lab.v1.UserService/CreateUser/#" } }]);
    const c = await clientFor(s, "mqtt");
    try {
      expect((await c.createUser("Echo", "echo@example.com")).ok).toBe(true);
      await expect.poll(() => [...lab.sandboxes.get(s).users.values()].filter((u) => u.name === "Echo").length).toBe(2);
    } finally {
      await c.close();
    }
  });

  it("mqtt: a lost reply leaves the caller waiting until its deadline; the user exists", async () => {
    const s = newSession("mqttlost");
    await setFaults(s, [{ kind: "FAULT_KIND_LOST_RESPONSE", probability: 1, target: { mode: "MODE_MQTT", method: "CreateUser" } }]);
    const c = await clientFor(s, "mqtt", { timeoutMs: 400 });
    try {
      const r = await c.createUser("Mute", "mute@example.com");
      expect(r.status).toBe("deadline_exceeded");
      expect([...lab.sandboxes.get(s).users.values()].some((u) => u.name === "Mute")).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("mqtt: a reset while delivering drops the subscriber's connection", async () => {
    const s = newSession("mqttreset");
    await setFaults(s, [{ kind: "FAULT_KIND_RESET", probability: 1, target: { mode: "MODE_MQTT", topic: "events/#", }, durationMs: 0 }]);
    const sub = mqtt.connect(lab.mqttUrl, { username: s, clientId: `mosquitto_sub-${s}`, reconnectPeriod: 0 });
    await new Promise<void>((r) => sub.once("connect", () => sub.subscribe(`lab/${s}/events/#`, { qos: 1 }, () => r())));
    const closed = new Promise<void>((r) => sub.once("close", () => r()));
    const c = await clientFor(s, "connect");
    await c.createOrder({ userId: 1n, sku: "sku-book", quantity: 1 });
    await c.close();
    await closed;
    sub.end(true);
    expect(faultEvents(s).some((e) => e.fault?.kind === "reset")).toBe(true);
  });
});
