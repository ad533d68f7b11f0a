/**
 * TRACE=off turns recording off, nothing else: the gateway's hop to the
 * services still carries the caller's session, so a REST call lands in
 * the caller's sandbox (its users, faults and limits) as with the trace on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestLab } from "./helpers/lab";

type Lab = Awaited<ReturnType<typeof startTestLab>>;

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab({ TRACE: "off" });
});
afterAll(async () => {
  await lab.close();
});

const headers = (session: string) => ({ "content-type": "application/json", "x-lab-session": session });

describe("with the trace off", () => {
  it("keeps each session's users in its own sandbox through the REST gateway", async () => {
    const created = await fetch(`${lab.httpUrl}/rest/users`, { method: "POST", headers: headers("traceoffa1"), body: JSON.stringify({ name: "Ada", email: "ada@example.com" }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await fetch(`${lab.httpUrl}/rest/users/${id}`, { headers: headers("traceoffa1") })).status).toBe(200);
    const other = await fetch(`${lab.httpUrl}/rest/users/${id}`, { headers: headers("traceoffb2") });
    expect(other.status).toBe(404);
    expect(lab.hub.recent("traceoffa1")).toEqual([]);
  });

  it("applies the session's faults to the service behind the gateway", async () => {
    const set = await fetch(`${lab.httpUrl}/rest/lab/faults`, {
      method: "PUT",
      headers: headers("traceoffc3"),
      body: JSON.stringify({ rules: [{ kind: "FAULT_KIND_ERROR", probability: 1, rpcCode: "unavailable", target: { service: "UserService", method: "GetUser" } }] }),
    });
    expect(set.status).toBe(200);
    expect((await fetch(`${lab.httpUrl}/rest/users/1`, { headers: headers("traceoffc3") })).status).toBe(503);
    expect((await fetch(`${lab.httpUrl}/rest/users/1`, { headers: headers("traceoffd4") })).status).toBe(200);
  });
});
