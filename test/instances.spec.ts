import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeLabClient, type LabClient, type LabClientOptions, type ModeName } from "../lib/client/node";
import { EventKind, type TraceEvent } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";

/**
 * Lesson 11 on real sockets: UserService's two addressable instances
 * (lib/rpc/instances.ts), one of them killed by a fault rule, a client that
 * round-robins over them with and without ejection, and seed 1's fallback
 * from gRPC to HTTP — which helps when the RPC path is broken and not when
 * the service itself is down.
 */
let lab: Awaited<ReturnType<typeof startTestLab>>;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab?.close();
});

let sessions = 0;
/** A session id (8–32 lowercase letters or digits). */
const newSession = (name: string) => `inst${name}${(sessions++).toString().padStart(4, "0")}`;

async function setFaults(session: string, rules: unknown[]): Promise<void> {
  const res = await fetch(`${lab.httpUrl}/rest/lab/faults`, {
    method: "PUT",
    headers: { "x-lab-session": session, "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function client(session: string, mode: ModeName, extra: Partial<LabClientOptions> = {}): Promise<LabClient> {
  return createNodeLabClient({ mode, baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, mqttUrl: lab.mqttUrl, session, participant: "Node client", timeoutMs: 5_000, ...extra });
}

/** Server-side answers to the session's calls: [to, code] of each RESPONSE_SENT by a UserService instance. */
function answersBy(session: string): Array<[string, string]> {
  return lab.hub
    .recent(session)
    .filter((e: TraceEvent) => e.kind === EventKind.RESPONSE_SENT && e.from.startsWith("UserService"))
    .map((e) => [e.from, e.rpc?.code ?? ""]);
}

const killInstance2 = [{ kind: "FAULT_KIND_RESET", probability: 1, target: { service: "UserService#2" }, label: "instance 2 down" }];

describe("service instances", () => {
  it.each(["connect", "grpc-web", "grpc"] as const)("%s: /instance/2/… reaches UserService#2, and the trace keeps the path", async (mode) => {
    const s = newSession(mode.replace("-", ""));
    const c = await client(s, mode, { instance: 2 });
    try {
      const r = await c.getUser(1n);
      expect(r.status).toBe("ok");
    } finally {
      await c.close();
    }
    const received = lab.hub.recent(s).find((e) => e.kind === EventKind.REQUEST_RECEIVED);
    expect(received?.to).toBe("UserService#2");
    expect(received?.http?.path).toMatch(/^\/instance\/2\/(rpc\/)?lab\.v1\.UserService\/GetUser$/);
  });

  it("a fault on UserService#2 leaves #1 answering; a fault on UserService hits both", async () => {
    const s = newSession("target");
    await setFaults(s, killInstance2);
    const one = await client(s, "connect", { instance: 1 });
    const two = await client(s, "connect", { instance: 2 });
    try {
      expect((await one.getUser(1n)).status).toBe("ok");
      expect((await two.getUser(1n)).status).toBe("unavailable");
      await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable", target: { service: "UserService" } }]);
      expect((await one.getUser(1n)).status).toBe("unavailable");
      expect((await two.getUser(1n)).status).toBe("unavailable");
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("a killed instance's exchange is traced as broken off, with no RPC code (not Node's default 200 read as ok)", async () => {
    const s = newSession("killed");
    await setFaults(s, killInstance2);
    const c = await client(s, "connect", { instance: 2 });
    try {
      expect((await c.getUser(1n)).status).toBe("unavailable");
    } finally {
      await c.close();
    }
    await expect.poll(() => lab.hub.recent(s).some((e) => e.kind === EventKind.ERROR && e.from === "UserService#2")).toBe(true);
    const cut = lab.hub.recent(s).find((e) => e.kind === EventKind.ERROR && e.from === "UserService#2");
    expect(cut?.rpc?.code ?? "").toBe("");
  });

  it("refuses an instance that is not a number", async () => {
    const res = await fetch(`${lab.httpUrl}/rest/lab/faults`, {
      method: "PUT",
      headers: { "x-lab-session": newSession("bad"), "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ kind: "FAULT_KIND_RESET", probability: 1, target: { service: "UserService#two" } }] }),
    });
    expect(res.status).toBe(400);
  });
});

describe("round-robin over two instances", () => {
  it("alternates between them", async () => {
    const s = newSession("rr");
    const c = await client(s, "connect", { instances: [1, 2] });
    try {
      for (let i = 0; i < 4; i++) {
        const r = await c.getUser(1n);
        expect(r.status, r.error).toBe("ok");
      }
    } finally {
      await c.close();
    }
    expect(answersBy(s).map(([to]) => to)).toEqual(["UserService#1", "UserService#2", "UserService#1", "UserService#2"]);
  });

  it("with #2 killed: every other call fails; retries land on #1; ejection keeps #2 out of the turn", async () => {
    const plain = newSession("rrdown");
    await setFaults(plain, killInstance2);
    const c = await client(plain, "connect", { instances: [1, 2] });
    const statuses: string[] = [];
    try {
      for (let i = 0; i < 6; i++) statuses.push((await c.getUser(1n)).status);
    } finally {
      await c.close();
    }
    expect(statuses).toEqual(["ok", "unavailable", "ok", "unavailable", "ok", "unavailable"]);

    const retried = newSession("rrretry");
    await setFaults(retried, killInstance2);
    const r = await client(retried, "connect", { instances: [1, 2], retry: { maxAttempts: 2, initialBackoffMs: 5, budgetPercent: 0 } });
    try {
      for (let i = 0; i < 6; i++) expect((await r.getUser(1n)).status).toBe("ok");
    } finally {
      await r.close();
    }

    const ejected = newSession("rreject");
    await setFaults(ejected, killInstance2);
    const e = await client(ejected, "connect", { instances: [1, 2], ejectMs: 60_000, retry: { maxAttempts: 2, initialBackoffMs: 5, budgetPercent: 0 } });
    try {
      for (let i = 0; i < 10; i++) expect((await e.getUser(1n)).status).toBe("ok");
    } finally {
      await e.close();
    }
    // #2 was tried once, then left out: every other attempt went to #1.
    const attemptsAt2 = lab.hub.recent(ejected).filter((x) => x.kind === EventKind.REQUEST_RECEIVED && x.to === "UserService#2");
    expect(attemptsAt2).toHaveLength(1);
  });
});

describe("fallback from gRPC to HTTP (seed 1's 降级策略)", () => {
  it("helps when the RPC path is broken: the REST gateway still reaches the service", async () => {
    const s = newSession("fallback");
    await setFaults(s, [{ kind: "FAULT_KIND_RESET", probability: 1, target: { mode: "MODE_CONNECT", service: "UserService" }, label: "RPC endpoint down" }]);
    const without = await client(s, "connect");
    const withFallback = await client(s, "connect", { fallbackMode: "rest" });
    try {
      expect((await without.getUser(1n)).status).toBe("unavailable");
      const r = await withFallback.getUser(1n);
      expect(r).toMatchObject({ ok: true, status: "200", attempts: 2, fellBackTo: "rest" });
      expect(r.value?.id).toBe(1n);
    } finally {
      await without.close();
      await withFallback.close();
    }
    // The REST attempt says which call it stands in for.
    const restHop = lab.hub.recent(s).find((e) => e.kind === EventKind.REQUEST_RECEIVED && e.to === "Gateway");
    expect(restHop?.attempt).toBe(2);
    expect(restHop?.retryOfSpanId).not.toBe("");
  });

  it("does not help when the service itself is down: the gateway answers 503 too", async () => {
    const s = newSession("fallbackdown");
    await setFaults(s, [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable", target: { service: "UserService", method: "GetUser" } }]);
    const c = await client(s, "connect", { fallbackMode: "rest" });
    try {
      expect(await c.getUser(1n)).toMatchObject({ ok: false, status: "503", attempts: 2, fellBackTo: "rest" });
    } finally {
      await c.close();
    }
  });
});
