import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeLabClient, IDEMPOTENCY_KEY_HEADER, parseIdempotencyKeyHeader, REST_TIMEOUT_HEADER, type ModeName } from "../lib/client/node";
import { EventKind, type TraceEvent } from "../lib/gen/lab/v1/trace_pb";
import { LAB_HEADERS } from "../lib/trace";
import { startTestLab } from "./helpers/lab";

/**
 * The client-side defences (lib/client/defences.ts) against real sockets:
 * a closed port, a server that never answers, and a proxy in front of a
 * real lab that loses answers, so retries reach the lab and its trace.
 */

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("against a closed port", () => {
  const statuses: Record<ModeName, string> = { rest: "network_error", connect: "unavailable", "grpc-web": "unavailable", grpc: "unavailable", mqtt: "unavailable" };

  it.each(Object.keys(statuses) as ModeName[])("%s makes maxAttempts attempts and fails as unavailable", async (mode) => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const events: TraceEvent[] = [];
    const client = await createNodeLabClient({
      mode,
      baseUrl: url,
      grpcUrl: url,
      mqttUrl: `mqtt://127.0.0.1:${port}`,
      session: `closed${mode.replace("-", "")}`,
      participant: "Node client",
      onEvent: (e) => events.push(e),
      retry: { maxAttempts: 3, initialBackoffMs: 20 },
    });
    const r = await client.getUser(1n);
    await client.close();
    expect(r).toMatchObject({ ok: false, status: statuses[mode], attempts: 3, retried: true });
    expect(r.spanIds).toHaveLength(3);
    expect(new Set(r.spanIds).size).toBe(3);
    expect(r.spanId).toBe(r.spanIds[0]);
    const answers = events.filter((e) => e.kind === EventKind.RESPONSE_RECEIVED);
    expect(answers.map((e) => [e.spanId, e.attempt, e.retryOfSpanId])).toEqual([
      [r.spanIds[0], 1, ""],
      [r.spanIds[1], 2, r.spanId],
      [r.spanIds[2], 3, r.spanId],
    ]);
  });

  it("does not retry without a retry policy", async () => {
    const port = await closedPort();
    const client = await createNodeLabClient({ mode: "rest", baseUrl: `http://127.0.0.1:${port}`, session: "closednoretry" });
    const r = await client.getUser(1n);
    expect(r).toMatchObject({ ok: false, status: "network_error", attempts: 1, retried: false });
  });
});

describe("against a server that never answers", () => {
  let server: ReturnType<typeof createNetServer>;
  const sockets = new Set<Socket>();
  let url = "";
  beforeAll(async () => {
    // Accepts connections and reads requests, but never writes a byte.
    server = createNetServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    });
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    ["rest", "timeout"],
    ["connect", "deadline_exceeded"],
    ["grpc-web", "deadline_exceeded"],
  ] as const)("%s gives up at timeoutMs, retries included (%s)", async (mode, status) => {
    const client = await createNodeLabClient({ mode, baseUrl: url, session: "hangdeadline", timeoutMs: 300, retry: { maxAttempts: 3, initialBackoffMs: 10 } });
    const t0 = performance.now();
    const r = await client.getUser(1n);
    const took = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, status, attempts: 1 });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
  });

  it("accepts timeoutMs 0: no deadline, the call waits until the connection goes", async () => {
    const client = await createNodeLabClient({ mode: "rest", baseUrl: url, session: "hangforever", timeoutMs: 0 });
    const call = client.getUser(1n);
    const early = await Promise.race([call.then(() => "answered"), new Promise((resolve) => setTimeout(() => resolve("still waiting"), 500))]);
    expect(early).toBe("still waiting");
    // Only the server closing the connection ends it.
    for (const s of sockets) s.destroy();
    const r = await call;
    expect(r).toMatchObject({ ok: false, status: "network_error", attempts: 1 });
  });
});

describe("against a server that resets the connection mid-answer", () => {
  let server: ReturnType<typeof createNetServer>;
  let url = "";
  let requests = 0;
  beforeAll(async () => {
    // Answers the headers of a 100-byte body, sends 10 bytes, then resets.
    server = createNetServer((s) => {
      s.on("error", () => {});
      s.once("data", () => {
        requests++;
        s.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"user\": {");
        setTimeout(() => s.resetAndDestroy(), 10);
      });
    });
    url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    ["rest", "network_error"],
    ["connect", "unavailable"],
  ] as const)("%s retries it as %s", async (mode, status) => {
    requests = 0;
    const client = await createNodeLabClient({ mode, baseUrl: url, session: "midreset", retry: { maxAttempts: 3, initialBackoffMs: 10 } });
    const r = await client.getUser(1n);
    expect(r).toMatchObject({ ok: false, status, attempts: 3 });
    expect(requests).toBe(3);
  });
});

describe("against a real lab, through a proxy that loses answers", () => {
  let lab: Awaited<ReturnType<typeof startTestLab>>;
  let proxy: Server;
  let proxyUrl = "";
  /** How many of the next requests get a 503 instead of the lab's answer (after the lab acted). */
  let loseNext = 0;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    lab = await startTestLab();
    const target = new URL(lab.httpUrl);
    proxy = createServer((req, res) => {
      seen.push(req.headers);
      // Decided on arrival: the lab still gets the request and acts on it.
      const lose = loseNext > 0;
      if (lose) loseNext--;
      const loseAnswer = () => {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "unavailable", message: "the proxy lost the answer", error: { message: "the proxy lost the answer" } }));
      };
      const body: Buffer[] = [];
      req.on("data", (c: Buffer) => body.push(c));
      req.on("end", () => {
        const up = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (upRes) => {
            const chunks: Buffer[] = [];
            upRes.on("data", (c: Buffer) => chunks.push(c));
            upRes.on("end", () => {
              if (lose) return loseAnswer();
              const answer = Buffer.concat(chunks);
              const headers = { ...upRes.headers, "content-length": String(answer.length) };
              delete headers["transfer-encoding"];
              delete headers.connection;
              res.writeHead(upRes.statusCode ?? 502, headers);
              res.end(answer);
            });
          },
        );
        up.on("error", () => (lose ? loseAnswer() : res.destroy()));
        up.end(Buffer.concat(body));
      });
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await lab?.close();
  });

  it.each(["rest", "connect", "grpc-web"] as const)("%s: the lab sees attempts 1, 2, 3, each naming the first", async (mode) => {
    const session = `retries${mode.replace("-", "")}`;
    const client = await createNodeLabClient({ mode, baseUrl: proxyUrl, session, participant: "Node client", retry: { maxAttempts: 4, initialBackoffMs: 20 } });
    loseNext = 2;
    const r = await client.getUser(123n);
    expect(r).toMatchObject({ ok: true, attempts: 3, retried: true });
    expect(r.value?.name).toBe("张三");
    const received = () =>
      lab.hub
        .recent(session)
        .filter((e) => e.kind === EventKind.REQUEST_RECEIVED && r.spanIds.includes(e.spanId))
        .map((e) => [e.spanId, e.attempt, e.retryOfSpanId]);
    await expect.poll(() => received().length, { timeout: 3000 }).toBe(3);
    expect(received()).toEqual([
      [r.spanIds[0], 1, ""],
      [r.spanIds[1], 2, r.spanId],
      [r.spanIds[2], 3, r.spanId],
    ]);
  });

  it("retries CreateUser with the same Idempotency-Key on every attempt", async () => {
    const session = "retrieskeys";
    const client = await createNodeLabClient({ mode: "rest", baseUrl: proxyUrl, session, participant: "Node client", idempotencyKeys: true, retry: { maxAttempts: 3, initialBackoffMs: 10 } });
    seen.length = 0;
    loseNext = 2;
    const r = await client.createUser("Retry", "retry@example.com");
    expect(r).toMatchObject({ attempts: 3 });
    const keys = seen.map((h) => parseIdempotencyKeyHeader(h[IDEMPOTENCY_KEY_HEADER] as string | undefined));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    expect(seen.map((h) => h[LAB_HEADERS.attempt])).toEqual([undefined, "2", "3"]);
    // A second logical call gets a key of its own.
    seen.length = 0;
    await client.createUser("Other", "other@example.com");
    expect(parseIdempotencyKeyHeader(seen[0][IDEMPOTENCY_KEY_HEADER] as string)).not.toBe(keys[0]);
  });

  it("sends the remaining deadline, and none with timeoutMs 0", async () => {
    const deadlineHeader: Record<string, string> = { rest: REST_TIMEOUT_HEADER, connect: "connect-timeout-ms", "grpc-web": "grpc-timeout" };
    for (const mode of ["rest", "connect", "grpc-web"] as const) {
      for (const timeoutMs of [5_000, 0]) {
        const client = await createNodeLabClient({ mode, baseUrl: proxyUrl, session: "deadlinehdr", timeoutMs });
        seen.length = 0;
        const r = await client.getUser(123n);
        expect(r.ok).toBe(true);
        const value = seen[0][deadlineHeader[mode]] as string | undefined;
        if (timeoutMs === 0) expect(value).toBeUndefined();
        else {
          const ms = Number.parseInt(value ?? "", 10);
          expect(ms).toBeGreaterThan(4_000);
          expect(ms).toBeLessThanOrEqual(5_000);
        }
      }
    }
  });

  it("gRPC and MQTT work with timeoutMs 0", async () => {
    for (const mode of ["grpc", "mqtt"] as const) {
      const client = await createNodeLabClient({ mode, baseUrl: lab.httpUrl, grpcUrl: lab.grpcUrl, mqttUrl: lab.mqttUrl, session: "nodeadline", timeoutMs: 0 });
      const r = await client.getUser(123n);
      await client.close();
      expect(r).toMatchObject({ ok: true, status: "ok", attempts: 1 });
    }
  });
});
